using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Knowledge.Tests.Graph;

public sealed class KnowledgeGraphTests
{
    [Fact]
    public async Task Should_FindConcept_When_QueriedByCuiNameOrTerm()
    {
        // Given
        var g = Some.SmallGraph();

        // When
        var byCui = await g.GetConceptAsync("C0032825");
        var byName = await g.FindConceptsByNameAsync("  potassium CHLORIDE ");
        var byTerm = await g.FindConceptsByNameAsync("k+ LOW");

        // Then
        byCui!.Name.Should().Be("Potassium Chloride");
        byCui.Tuis.Should().Equal("T121", "T197");
        byCui.Group.Should().Be("CHEM");
        byName.Select(c => c.Cui).Should().Equal("C0032825");
        byTerm.Select(c => c.Cui).Should().Equal("C0020621");
        (await g.GetConceptAsync("C9999999")).Should().BeNull();
    }

    [Fact]
    public async Task Should_ReturnNeighboursWithLabelsAndDirection_When_AskedForBothDirections()
    {
        // Given
        var g = Some.SmallGraph();

        // When
        var n = await g.GetNeighboursAsync("C0032825");

        // Then
        n.Select(x => (x.Kind, x.Direction, x.Label, x.Concept.Cui)).Should().Equal(
            (GraphEdgeKinds.UmlsRelation, EdgeDirection.Outgoing, "PAR", "C0032821"),
            (GraphEdgeKinds.UmlsRelation, EdgeDirection.Outgoing, "may_treat", "C0020621"),
            (GraphEdgeKinds.UmlsRelation, EdgeDirection.Incoming, "may_be_treated_by", "C0020621"),
            (GraphEdgeKinds.CoOccurrence, EdgeDirection.Outgoing, "prescriptions", "C0020621"),
            (GraphEdgeKinds.CoOccurrence, EdgeDirection.Outgoing, "prescriptions", "C0032821"),
            (GraphEdgeKinds.CoOccurrence, EdgeDirection.Incoming, "labevents", "C0032821"));
        n.Single(x => x.Kind == GraphEdgeKinds.CoOccurrence && x.Concept.Cui == "C0020621").Weight.Should().Be(12.5);
        (await g.GetNeighboursAsync("C0032825", GraphEdgeKinds.UmlsRelation, EdgeDirection.Incoming)).Should().ContainSingle();
    }

    [Fact]
    public async Task Should_OrderTopCooccurrencesByLift_When_Limited()
    {
        // Given
        var g = Some.SmallGraph();

        // When
        var all = await g.GetTopCooccurrencesAsync("C0032825", "prescriptions", 10);
        var one = await g.GetTopCooccurrencesAsync("C0032825", "prescriptions", 1);
        var otherTask = await g.GetTopCooccurrencesAsync("C0032825", "labevents", 10);

        // Then
        all.Select(e => e.Stat.History).Should().Equal("K+ low", "Potassium, Whole Blood");
        all[0].HistoryCui.Should().Be("C0020621");
        all[0].Stat.Lift.Should().Be(12.5);
        one.Should().ContainSingle();
        otherTask.Should().BeEmpty();
    }

    [Fact]
    public async Task Should_ListRelationsInBothRoles_When_ConceptIsCui1OrCui2()
    {
        // Given
        var g = Some.SmallGraph();

        // When
        var rels = await g.GetUmlsRelationsAsync("C0020621");

        // Then
        rels.Should().Equal(
            new UmlsRelation("C0020621", "C0032825", "RO", "may_be_treated_by", "MED-RT"),
            new UmlsRelation("C0032825", "C0020621", "RO", "may_treat", "MED-RT"));
    }

    [Fact]
    public async Task Should_RoundTripEveryRecord_When_SavedAndLoaded()
    {
        // Given
        using var tmp = new TempDirectory();
        var g = Some.SmallGraph();
        var path = tmp.Combine("graph.bin");

        // When
        KnowledgeGraphFile.Save(g, path);
        var loaded = KnowledgeGraphFile.Load(path);

        // Then
        loaded.Concepts().Should().BeEquivalentTo(g.Concepts(), o => o.WithStrictOrdering());
        loaded.Terms().Should().Equal(g.Terms());
        loaded.Cooccurrences().Should().Equal(g.Cooccurrences());
        loaded.UmlsRelations().Should().Equal(g.UmlsRelations());
        (await loaded.GetCountsAsync()).Should().BeEquivalentTo(new Dictionary<string, long> { ["concepts"] = 3, ["terms"] = 3, ["co_occurs"] = 3, ["umls_rel"] = 3 });
    }

    [Fact]
    public async Task Should_GiveOneLinkPerTermKeyAndConcept_When_TextsDifferOnlyInCase()
    {
        // Given texts that share a case-folded key, one of them naming two concepts
        var g = new KnowledgeGraphBuilder()
            .AddConcept(new GraphConcept("C1", "Glucose", [], null))
            .AddConcept(new GraphConcept("C2", "Common cold", [], null))
            .AddConcept(new GraphConcept("C3", "Cold temperature", [], null))
            .AddTerm(new GraphTerm("Glucose", "C1"))
            .AddTerm(new GraphTerm("glucose", "C1"))
            .AddTerm(new GraphTerm("Cold", "C2"))
            .AddTerm(new GraphTerm("cold ", "C3"))
            .Build();

        // When
        var links = g.TermLinks().ToList();

        // Then every (key, concept) link once, with the first text of its key (what Neo4j's Term nodes hold)
        g.TermCount.Should().Be(4);
        links.Select(t => (t.Text, t.Cui)).Should().BeEquivalentTo([("Cold", "C2"), ("Cold", "C3"), ("Glucose", "C1")]);
        links.Should().HaveCount(g.TermLinkCount);
        (await g.GetCountsAsync())["terms"].Should().Be(3);
    }

    [Fact]
    public void Should_FailWithFileNamed_When_FileIsTruncated()
    {
        // Given
        using var tmp = new TempDirectory();
        var path = tmp.Combine("graph.bin");
        KnowledgeGraphFile.Save(Some.SmallGraph(), path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(bytes.Length - 10)]);

        // When
        var act = () => KnowledgeGraphFile.Load(path);

        // Then
        act.Should().Throw<InputDataException>().Which.Message.Should().Contain(path).And.Contain("graph build");
    }

    [Fact]
    public void Should_FailWithChecksumAndFileNamed_When_OneByteIsFlipped()
    {
        // Given a byte flipped inside the edge columns (past the header, before the end marker)
        using var tmp = new TempDirectory();
        var path = tmp.Combine("graph.bin");
        KnowledgeGraphFile.Save(Some.SmallGraph(), path);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length - 20] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        // When
        var act = () => KnowledgeGraphFile.Load(path);

        // Then
        act.Should().Throw<InputDataException>().Which.Message.Should().Contain(path).And.Contain("checksum").And.Contain("ehr-graph graph build");
    }

    [Fact]
    public void Should_FailWithInputDataException_When_AnyByteIsFlipped()
    {
        // Given every single-byte flip of a small file: none may load, none may escape as another exception type
        using var tmp = new TempDirectory();
        var path = tmp.Combine("graph.bin");
        KnowledgeGraphFile.Save(Some.SmallGraph(), path);
        var good = File.ReadAllBytes(path);

        for (var i = 0; i < good.Length; i++)
        {
            var bytes = (byte[])good.Clone();
            bytes[i] ^= 0x80;
            File.WriteAllBytes(path, bytes);

            // When
            var act = () => KnowledgeGraphFile.Load(path);

            // Then
            act.Should().Throw<InputDataException>($"byte {i} was flipped").Which.Message.Should().Contain(path);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(5)]
    [InlineData(12)]
    [InlineData(-1)]
    [InlineData(-8)]
    public void Should_FailWithFileNamed_When_FileIsCut(int keep)
    {
        // Given a file cut at the start, inside the header, or inside the checksum trailer
        using var tmp = new TempDirectory();
        var path = tmp.Combine("graph.bin");
        KnowledgeGraphFile.Save(Some.SmallGraph(), path);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..(keep >= 0 ? keep : bytes.Length + keep)]);

        // When
        var act = () => KnowledgeGraphFile.Load(path);

        // Then
        act.Should().Throw<InputDataException>().Which.Message.Should().Contain(path).And.Contain("graph build");
    }

    [Fact]
    public void Should_AskForARebuild_When_FileHasTheOldFormatWithoutChecksum()
    {
        // Given a version-1 header (the format before checksums)
        using var tmp = new TempDirectory();
        var path = tmp.Combine("graph.bin");
        KnowledgeGraphFile.Save(Some.SmallGraph(), path);
        var bytes = File.ReadAllBytes(path);
        BitConverter.TryWriteBytes(bytes.AsSpan(8, 4), 1).Should().BeTrue();
        File.WriteAllBytes(path, bytes);

        // When
        var act = () => KnowledgeGraphFile.Load(path);

        // Then
        act.Should().Throw<InputDataException>().Which.Message.Should().Contain(path).And.Contain("older build").And.Contain("ehr-graph graph build");
    }

    [Fact]
    public void Should_AddBareConcept_When_EdgeMentionsUnknownCui()
    {
        // Given
        var b = new KnowledgeGraphBuilder().AddUmlsRelation(new UmlsRelation("C1", "C2", "RB", "", "SRC"));

        // When
        var g = b.Build();

        // Then
        g.Concepts().Select(c => (c.Cui, c.Name)).Should().Equal(("C1", "C1"), ("C2", "C2"));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Should_KeepEachDistinctRelationOnceInOrdinalOrder_When_RowsRepeatInAnyOrder(int seed)
    {
        // Given random relations with repeats (some differing only in REL, RELA or SAB), added in a shuffled order
        var rng = new Random(seed);
        string[] rels = ["RO", "PAR", "CHD", "RB"];
        string[] relas = ["", "isa", "may_treat", "inverse_isa"];
        string[] sabs = ["MSH", "SNOMEDCT_US", "RXNORM"];
        var rows = Enumerable.Range(0, 3000)
            .Select(_ => new UmlsRelation("C" + rng.Next(60).ToString("D3", System.Globalization.CultureInfo.InvariantCulture), "C" + rng.Next(60).ToString("D3", System.Globalization.CultureInfo.InvariantCulture), rels[rng.Next(rels.Length)], relas[rng.Next(relas.Length)], sabs[rng.Next(sabs.Length)]))
            .ToList();
        var shuffled = rows.Concat(rows.Take(500)).OrderBy(_ => rng.Next()).ToList();
        var builder = new KnowledgeGraphBuilder();
        shuffled.ForEach(r => builder.AddUmlsRelation(r.Cui1, r.Cui2, r.Rel, r.Rela, r.Sab));

        // When
        var graph = builder.Build();

        // Then every distinct row is there once, by CUI1, CUI2, REL, RELA, SAB (ordinal)
        var expected = rows.Distinct()
            .OrderBy(r => r.Cui1, StringComparer.Ordinal).ThenBy(r => r.Cui2, StringComparer.Ordinal)
            .ThenBy(r => r.Rel, StringComparer.Ordinal).ThenBy(r => r.Rela, StringComparer.Ordinal).ThenBy(r => r.Sab, StringComparer.Ordinal)
            .ToList();
        graph.UmlsRelations().Should().Equal(expected);
        graph.UmlsRelationCount.Should().Be(expected.Count);
    }

    [Fact]
    public void Should_ReplaceNameTypesAndGroup_When_AConceptIsSet()
    {
        // Given a concept first seen as an edge's end (bare: name = CUI)
        var builder = new KnowledgeGraphBuilder().AddUmlsRelation("C2", "C1", "RO", "isa", "MSH");

        // When
        builder.SetConcept(new GraphConcept("C1", "Aspirin", ["T121", "T109"], "CHEM"));
        var graph = builder.Build();

        // Then
        builder.ConceptCuis.Should().Equal("C2", "C1");
        graph.Concepts().First().Should().BeEquivalentTo(new GraphConcept("C1", "Aspirin", ["T109", "T121"], "CHEM"));
        graph.Concepts().Last().Name.Should().Be("C2");
    }
}
