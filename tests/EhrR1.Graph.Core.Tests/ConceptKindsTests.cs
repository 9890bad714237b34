using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Core.Tests;

/// <summary>Display kinds of concepts (Neo4j labels, picture colours).</summary>
public sealed class ConceptKindsTests
{
    [Theory]
    [InlineData("CHEM", "T121", "Furosemide", "C0016860", ConceptKinds.Drug)]
    [InlineData("CHEM", "T121", "Loop Diuretic [EPC]", "XMEDRT_N0000175452", ConceptKinds.DrugClass)]
    [InlineData("CHEM", "T121", "Bronchodilator Agents", "XMSH_D001993", ConceptKinds.DrugClass)] // MeSH action: T121, no suffix
    [InlineData("PROC", "T059", "Potassium [Moles/volume] in Serum or Plasma", "XLNC_2823-3", ConceptKinds.LabTest)]
    [InlineData("DISO", "T047", "Hyperkalemia", "C0020461", ConceptKinds.Disorder)]
    [InlineData("CONC", "T185", "Nervous system signs and symptoms [CCSR]", "XCCSR_SYM010", ConceptKinds.Category)]
    public void Should_GiveTheDisplayKind_When_AConceptHasThisGroupTypeNameAndId(string group, string tui, string name, string cui, string expected) =>
        ConceptKinds.Of(group, [tui], name, cui).Should().Be(expected);
}
