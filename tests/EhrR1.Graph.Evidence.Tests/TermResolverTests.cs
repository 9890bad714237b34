using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Stage;

namespace EhrR1.Graph.Evidence.Tests;

/// <summary>Term → graph node: links first, names only for unlinked terms.</summary>
public sealed class TermResolverTests
{
    private static RelationGraph Graph()
    {
        // the drug glucose has relations; the lab test "Glucose" (LOINC 2345-7) has none in this graph
        var builder = new RelationGraphBuilder();
        builder.AddRelation(new UmlsRelation("HYPOGLYCEMIA", "C0017725", "RO", ClinicalRelations.MayTreat, ClinicalRelations.LabeledIn));
        builder.AddRelation(new UmlsRelation("C0017725", "HYPOGLYCEMIA", "RO", ClinicalRelations.MayBeTreatedBy, ClinicalRelations.LabeledIn));
        builder.AddConcept("C0017725", "Glucose");
        builder.AddRelation("EHR:0123456789abcdef", "C0017725", null, RelationGraph.CooccurLabel);
        builder.AddConcept("EHR:0123456789abcdef", "Medicine");
        return builder.Build();
    }

    [Fact]
    public void Should_NotFallBackToANameMatch_When_TheTermIsLinkedToAConceptWithoutRelations()
    {
        // Given a sample that links its lab "Glucose" to the LOINC concept
        var resolver = new TermResolver(Graph());
        var links = new Dictionary<string, string>(StringComparer.Ordinal) { ["Glucose"] = "XLNC_2345-7" };

        // When / Then the lab has no node (it is not the drug of the same name)
        resolver.Resolve("Glucose", links).Should().Be(-1);
    }

    [Fact]
    public void Should_FindTheTermsMintedNode_When_TheTermIsLinkedToAConceptWithoutANode()
    {
        // Given a co-occurrence graph that minted a node for "Medicine", and a sample that links the term to a CUI
        var g = Graph();
        var links = new Dictionary<string, string>(StringComparer.Ordinal) { ["Medicine"] = "C0013227" };

        // When / Then the minted node of the same term is the term's node
        new TermResolver(g).Resolve("Medicine", links).Should().Be(g.NodeOf("EHR:0123456789abcdef"));
    }

    [Fact]
    public void Should_ResolveByName_When_TheTermHasNoLink()
    {
        var g = Graph();
        var resolver = new TermResolver(g);

        resolver.Resolve("glucose", null).Should().Be(g.NodeOf("C0017725"));
        resolver.Resolve("Glucose", new Dictionary<string, string>(StringComparer.Ordinal) { ["Glucose"] = "C0017725" }).Should().Be(g.NodeOf("C0017725"));
    }
}
