using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Search;
using EhrR1.Graph.Evidence.Stage;

namespace EhrR1.Graph.Evidence.Tests;

/// <summary>
/// Knowledge-first search on small graphs written the way the open vocabulary writes MRREL: every relation as a row
/// and its inverse, read "CUI2 RELA CUI1".
/// </summary>
public sealed class KnowledgePathSearchTests
{
    private readonly List<UmlsRelation> _rows = [];

    /// <summary>"subject rela object" as the two MRREL rows the vocabulary writes.</summary>
    private void Rel(string subject, string rela, string obj, string inverse, string sab)
    {
        _rows.Add(new UmlsRelation(obj, subject, "RO", rela, sab));
        _rows.Add(new UmlsRelation(subject, obj, "RO", inverse, sab));
    }

    private void Treats(string drug, string disease, string sab = ClinicalRelations.LabeledIn) =>
        Rel(drug, ClinicalRelations.MayTreat, disease, ClinicalRelations.MayBeTreatedBy, sab);

    private void Epc(string drug, string cls) =>
        Rel(drug, ClinicalRelations.HasEpc, cls, ClinicalRelations.EpcOf, ClinicalRelations.DrugCentral);

    private void Isa(string child, string parent) => Rel(child, ClinicalRelations.Isa, parent, ClinicalRelations.InverseIsa, "DOID");

    private RelationGraph Build()
    {
        var builder = new RelationGraphBuilder();
        foreach (var r in _rows)
        {
            builder.AddRelation(r);
        }

        return builder.Build();
    }

    private static KnowledgeSearchResult Search(RelationGraph g, string start, params string[] goals) => Search(new KnowledgePathSearch(g, new KnowledgeSearchSettings()), g.NodeOf(start), [.. goals.Select(g.NodeOf)]);

    private static KnowledgeSearchResult Search(KnowledgePathSearch search, int start, HashSet<int> goals) => search.Explain(search.Explore(start), goals);

    /// <summary>"lab high_result_indicates phenotype" (and low) as LOINC2HPO writes them.</summary>
    private void LabResult(string lab, string rela, string phenotype) =>
        Rel(lab, rela, phenotype, ClinicalRelations.InverseOfLabResult(rela), ClinicalRelations.Loinc2Hpo);

    private static KnowledgeSearchResult SearchFlagged(RelationGraph g, string start, string lab, params string[] flags)
    {
        var search = new KnowledgePathSearch(g, new KnowledgeSearchSettings());
        var node = g.NodeOf(lab);
        return search.Explain(search.Explore(g.NodeOf(start)), new HashSet<int> { node }, new Dictionary<int, int> { [node] = LabFlag.MaskOf(flags) });
    }

    [Fact]
    public void Should_GradeDirect_When_ADrugTreatsThePhenotypeAFlaggedHistoryLabIndicates()
    {
        // Given sodium polystyrene sulfonate may_treat hyperkalemia, which a high potassium indicates (a low one:
        // hypokalemia)
        Treats("SPS", "HYPERK");
        LabResult("K", ClinicalRelations.HighResultIndicates, "HYPERK");
        LabResult("K", ClinicalRelations.LowResultIndicates, "HYPOK");
        Treats("KCL", "HYPOK");
        var g = Build();

        // When the history's potassium was high
        var e = SearchFlagged(g, "SPS", "K", LabResultFlags.High).Explanations.Should().ContainSingle().Subject;

        // Then one clinical relation and the lab result: direct, ending "hyperkalemia indicated_by_high_result K"
        e.Grade.Should().Be(EvidenceGrade.Direct);
        e.Path.Nodes.Select(n => g.Cuis[n]).Should().Equal("SPS", "HYPERK", "K");
        var last = e.Path.Hops[^1];
        var read = RelationGraph.IsReverse(last) ? g.Labels[RelationGraph.Label(last)] : ClinicalRelations.InverseOfLabResult(g.Labels[RelationGraph.Label(last)]);
        read.Should().Be(ClinicalRelations.IndicatedByHighResult);
        g.SourceOf(e.Path.HopIndices[^1]).Should().Be(ClinicalRelations.Loinc2Hpo);

        // and a low potassium does not explain the binder, but explains potassium chloride
        SearchFlagged(g, "SPS", "K", LabResultFlags.Low).Explanations.Should().BeEmpty();
        SearchFlagged(g, "KCL", "K", LabResultFlags.Low).Explanations.Should().ContainSingle().Which.Grade.Should().Be(EvidenceGrade.Direct);
    }

    [Fact]
    public void Should_NotExplainByALabResult_When_TheHistoryLabIsNormal_OrTheLabIsTheTarget()
    {
        // Given the same relations
        Treats("SPS", "HYPERK");
        LabResult("K", ClinicalRelations.HighResultIndicates, "HYPERK");
        var g = Build();

        // When the history's potassium has no abnormal result, it is no explanation
        Search(g, "SPS", "K").Explanations.Should().BeEmpty();

        // and a lab target does not walk from the lab to its phenotype
        Search(g, "K", "SPS").Explanations.Should().BeEmpty();
    }

    [Fact]
    public void Should_GradeDirect_When_AHighLabInTheHistoryIndicatesTheTargetDiagnosis()
    {
        // Given the diagnosis hyperkalemia mapped to the HPO phenotype that a high potassium indicates
        LabResult("K", ClinicalRelations.HighResultIndicates, "HPO_HYPERK");
        Rel("HPO_HYPERK", ClinicalRelations.MappedTo, "DX_HYPERK", ClinicalRelations.MappedFrom, ClinicalRelations.Loinc2Hpo);
        var g = Build();

        // When
        var e = SearchFlagged(g, "DX_HYPERK", "K", LabResultFlags.High).Explanations.Single();

        // Then the lab result is the path's one clinical relation
        e.Grade.Should().Be(EvidenceGrade.Direct);
        e.Path.Nodes.Select(n => g.Cuis[n]).Should().Equal("DX_HYPERK", "HPO_HYPERK", "K");
    }

    [Fact]
    public void Should_GradeDirect_AndReadAlongThePath_When_ADrugTreatsAHistoryDiagnosis()
    {
        // Given insulin may_treat type 2 diabetes, which is a diabetes
        Treats("INSULIN", "T2DM");
        Isa("T2DM", "DM");
        var g = Build();

        // When the target insulin is searched towards the history concept T2DM
        var result = Search(g, "INSULIN", "T2DM");

        // Then one direct hop that reads "insulin may_treat T2DM" (not the inverse row walked backwards)
        var e = result.Explanations.Should().ContainSingle().Subject;
        e.Grade.Should().Be(EvidenceGrade.Direct);
        e.Path.Length.Should().Be(1);
        g.Labels[RelationGraph.Label(e.Path.Hops[0])].Should().Be(ClinicalRelations.MayTreat);
        RelationGraph.IsReverse(e.Path.Hops[0]).Should().BeTrue("the row (T2DM, INSULIN, may_treat) read backwards says insulin may_treat T2DM");
        g.SourceOf(e.Path.HopIndices[0]).Should().Be(ClinicalRelations.LabeledIn);
    }

    [Fact]
    public void Should_PreferABetterGradeOverAShorterPath_When_BothReachTheSameHistoryConcept()
    {
        // Given oxycodone and hydromorphone in one class, and a two-hop grouping route between them as well
        Epc("OXY", "OPIOID");
        Epc("HYDRO", "OPIOID");
        Isa("OXY", "ANALGESIC");
        Isa("HYDRO", "ANALGESIC");
        var g = Build();

        // When
        var e = Search(g, "OXY", "HYDRO").Explanations.Single();

        // Then the class explanation wins over the hierarchy one of the same length
        e.Grade.Should().Be(EvidenceGrade.Class);
        e.Path.Nodes.Select(n => g.Cuis[n]).Should().Equal("OXY", "OPIOID", "HYDRO");
    }

    [Fact]
    public void Should_GradeSharedIndication_AndRankItBelowDirect_When_TwoDrugsTreatOneCondition()
    {
        // Given albuterol and fluticasone both treat asthma; the history also holds COPD, which albuterol treats
        Treats("ALBUTEROL", "ASTHMA");
        Treats("FLUTICASONE", "ASTHMA", ClinicalRelations.DrugCentral);
        Treats("ALBUTEROL", "COPD");
        var g = Build();

        // When
        var result = Search(g, "ALBUTEROL", "FLUTICASONE", "COPD");

        // Then the direct explanation (COPD) ranks first, the shared indication second
        result.Explanations.Select(x => (g.Cuis[x.History], x.Grade)).Should().Equal(("COPD", EvidenceGrade.Direct), ("FLUTICASONE", EvidenceGrade.SharedIndication));
    }

    [Fact]
    public void Should_NotWalkThroughHubs_AndReportThem_When_AConceptHasMoreNeighboursThanTheCap()
    {
        // Given two drugs that meet only at a condition with many treatments
        for (var i = 0; i < 12; i++)
        {
            Treats("DRUG" + i.ToString("D2", System.Globalization.CultureInfo.InvariantCulture), "PAIN");
        }

        var g = Build();
        var search = new KnowledgePathSearch(g, new KnowledgeSearchSettings { HubDegreeCap = 10 });

        // When
        var result = Search(search, g.NodeOf("DRUG00"), [g.NodeOf("DRUG01")]);

        // Then no path, and the hub is counted
        result.Explanations.Should().BeEmpty();
        result.HubsCapped.Should().Be(1);

        // and with a cap above its degree the shared indication is found
        Search(new KnowledgePathSearch(g, new KnowledgeSearchSettings { HubDegreeCap = 12 }), g.NodeOf("DRUG00"), [g.NodeOf("DRUG01")])
            .Explanations.Single().Grade.Should().Be(EvidenceGrade.SharedIndication);
    }

    [Fact]
    public void Should_NeverWalkCooccurrenceEdges_When_TheGraphHoldsThem()
    {
        // Given only a co-occurrence edge between the two
        _rows.Add(new UmlsRelation("A", "B", "CO", RelationGraph.CooccurLabel, string.Empty));
        var g = Build();

        // When / Then
        Search(g, "A", "B").Explanations.Should().BeEmpty();
    }

    [Fact]
    public void Should_RespectTheHopLimit_When_TheOnlyPathIsLonger()
    {
        // Given a chain of five hierarchy hops
        string[] chain = ["A", "B", "C", "D", "E", "F"];
        for (var i = 0; i + 1 < chain.Length; i++)
        {
            Isa(chain[i], chain[i + 1]);
        }

        var g = Build();

        // When / Then: 4 hops by default, so F (5 hops) is out of reach and E (4) is not
        Search(g, "A", "F").Explanations.Should().BeEmpty();
        Search(g, "A", "E").Explanations.Single().Path.Length.Should().Be(4);
    }

    [Fact]
    public void Should_MergeSources_When_TwoSourcesStateTheSameRelation()
    {
        // Given the same indication from two sources
        Treats("METFORMIN", "T2DM", ClinicalRelations.DrugCentral);
        Treats("METFORMIN", "T2DM", ClinicalRelations.Medi);
        var g = Build();

        // When
        var e = Search(g, "METFORMIN", "T2DM").Explanations.Single();

        // Then one hop naming both, ranked as expert-confirmed
        g.SourceOf(e.Path.HopIndices[0]).Should().Be("DRUGCENTRAL+MEDI");
        e.SourceRank.Should().Be(0);
    }

    [Fact]
    public void Should_NotDetourThroughASibling_When_TwoIngredientsShareACombinationProduct()
    {
        // Given glucose and citrate only in one combination product ("product has_ingredient X")
        Rel("GLUCOSE_CITRATE_SOLUTION", ClinicalRelations.HasIngredient, "GLUCOSE", ClinicalRelations.IngredientOf, ClinicalRelations.RxNorm);
        Rel("GLUCOSE_CITRATE_SOLUTION", ClinicalRelations.HasIngredient, "CITRATE", ClinicalRelations.IngredientOf, ClinicalRelations.RxNorm);
        var g = Build();

        // When / Then: ingredient → product → other ingredient is no explanation
        Search(g, "GLUCOSE", "CITRATE").Explanations.Should().BeEmpty();

        // but a product reaches its ingredient
        Search(g, "GLUCOSE_CITRATE_SOLUTION", "GLUCOSE").Explanations.Single().Grade.Should().Be(EvidenceGrade.Grouping);
    }

    [Fact]
    public void Should_NotExplainByATreatmentOfASubtype_When_ThePathDescendsBeforeTheClinicalHop()
    {
        // Given anemia of prematurity (a kind of anemia) is treated by iron; the target is anemia
        Isa("ANEMIA_OF_PREMATURITY", "ANEMIA");
        Treats("IRON", "ANEMIA_OF_PREMATURITY");
        Treats("IRON", "T2DM_UNRELATED");
        var g = Build();

        // When / Then: anemia → (down) anemia of prematurity → iron is rejected, iron → anemia of prematurity → (up) anemia is direct
        Search(g, "ANEMIA", "IRON").Explanations.Should().BeEmpty();
        Search(g, "IRON", "ANEMIA").Explanations.Single().Grade.Should().Be(EvidenceGrade.Direct);
    }

    [Fact]
    public void Should_RankAnEstablishedClassBeforeABroadAction_When_BothExplain()
    {
        // Given two drugs sharing an EPC, two sharing only a MeSH pharmacological action
        Epc("OXY", "OPIOID_AGONIST_EPC");
        Epc("HYDRO", "OPIOID_AGONIST_EPC");
        Rel("OXY", ClinicalRelations.HasPharmacologicAction, "ANALGESICS", ClinicalRelations.PharmacologicActionOf, ClinicalRelations.DrugCentral);
        Rel("MAGNESIUM", ClinicalRelations.HasPharmacologicAction, "ANALGESICS", ClinicalRelations.PharmacologicActionOf, ClinicalRelations.DrugCentral);
        var g = Build();

        // When
        var found = Search(g, "OXY", "HYDRO", "MAGNESIUM").Explanations;

        // Then both are class explanations, the EPC one first
        found.Select(e => g.Cuis[e.History]).Should().Equal("HYDRO", "MAGNESIUM");
        found.Should().OnlyContain(e => e.Grade == EvidenceGrade.Class);
        found[1].SourceRank.Should().BeGreaterThan(found[0].SourceRank);
    }

    [Theory]
    [InlineData(1, 0, 0, "direct")]
    [InlineData(0, 2, 0, "class")]
    [InlineData(2, 0, 0, "shared_indication")]
    [InlineData(0, 0, 2, "grouping")]
    [InlineData(0, 0, 0, "grouping")]
    [InlineData(1, 2, 0, "chain")]
    [InlineData(1, 0, 1, "chain")]
    public void Should_GradeByTheRolesOfTheHops(int clinical, int cls, int grouping, string expected) =>
        EvidenceGrades.Name(EvidenceGrades.Of(clinical, cls, grouping)).Should().Be(expected);

    [Fact]
    public void Should_GradeCooccurrence_When_AnyHopIsACooccurrenceEdge() =>
        EvidenceGrades.Of([RelationRole.Clinical, null]).Should().Be(EvidenceGrade.Cooccurrence);

    [Fact]
    public void Should_RenderGradeRelationSourceAndReadingDirection_When_APathIsKnowledgeFirst()
    {
        // Given a direct path written the way the knowledge search writes it
        var path = new EvidencePath(
            "insulin",
            "Type 2 diabetes",
            [new EvidenceNode("C1", "Insulin"), new EvidenceNode("C2", "Diabetes mellitus"), new EvidenceNode("C3", "Type 2 diabetes")],
            [new EvidenceHop(ClinicalRelations.MayTreat, "reverse", ClinicalRelations.LabeledIn, "forward"), new EvidenceHop(ClinicalRelations.Isa, "forward", "DOID", "backward")],
            false,
            "direct");

        // When / Then
        PathRendering.Arrow(path).Should().Be("[direct] insulin —[may_treat · LABELEDIN]→ Diabetes mellitus ←[isa · DOID]— Type 2 diabetes");
    }

    [Fact]
    public void Should_LabelACooccurrenceHopAsObservation_When_TheFallbackAddsIt()
    {
        var path = new EvidencePath("A", "B", [new EvidenceNode("C1", "A"), new EvidenceNode("C2", "B")],
            [new EvidenceHop(RelationGraph.CooccurLabel, "forward", "co-occurrence", "forward", "observed together in 12 samples (lift 6.3)")], false, "cooccurrence");
        PathRendering.Arrow(path).Should().Be("[co-occurrence, not knowledge] A —(observed together in 12 samples (lift 6.3))— B");
    }
}
