using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Neo4j.Loading;
using EhrR1.Graph.Neo4j.Schema;

namespace EhrR1.Graph.Neo4j.Tests;

public sealed class GraphCypherTests
{
    [Fact]
    public void Should_SplitIntoFullBatchesAndRemainder_When_Batching()
    {
        var batches = GraphCypher.Batches(Enumerable.Range(0, 25).Select(i => new GraphTerm("t" + i, "C" + i)), GraphCypher.Row, 10).ToList();
        batches.Select(b => b.Count).Should().Equal(10, 10, 5);
        batches[2][4]["key"].Should().Be("t24");
    }

    [Fact]
    public void Should_UseOnlyParameters_When_BuildingLoadStatements()
    {
        foreach (var text in new[] { GraphCypher.MergeConcepts, GraphCypher.MergeTerms, GraphCypher.MergeCoOccurrences, GraphCypher.MergeUmlsRelations })
        {
            text.Should().StartWith("UNWIND $rows AS r ").And.Contain("MERGE").And.NotContain("'").And.NotContain("\"");
        }
    }

    [Fact]
    public void Should_MapRecordToRow_When_ConvertingCooccurrence()
    {
        var row = GraphCypher.Row(new CooccurrenceEdge("C1", "C2", new CooccurrenceStat("labevents", "K'", "Na\"", 3, 4, 5, 6, 7.5)));
        row.Should().Contain(new KeyValuePair<string, object?>("tt", "K'")).And.Contain(new KeyValuePair<string, object?>("ht", "Na\"")).And.Contain(new KeyValuePair<string, object?>("lift", 7.5));
        GraphCypher.Row(new GraphConcept("C1", "Hypo KALEMIA ", ["T047"], null))["name_key"].Should().Be("hypo kalemia");
    }

    [Theory]
    [InlineData(3, "schema-3.x.cypher", "ASSERT c.cui IS UNIQUE")]
    [InlineData(4, "schema-4.x.cypher", "IF NOT EXISTS ON (c:Concept) ASSERT")]
    [InlineData(5, "schema-5.x.cypher", "REQUIRE c.cui IS UNIQUE")]
    [InlineData(6, "schema-5.x.cypher", "REQUIRE c.cui IS UNIQUE")]
    public void Should_ChooseDdlByServerGeneration_When_VersionIsKnown(int major, string file, string expected)
    {
        SchemaScripts.FileFor(major).Should().Be(file);
        var statements = SchemaScripts.StatementsFor(major);
        statements.Should().Contain(s => s.Contains(expected, StringComparison.Ordinal));
        statements.Should().OnlyContain(s => !s.Contains("//", StringComparison.Ordinal) && !s.EndsWith(';'));
    }

    [Fact]
    public void Should_JoinMultilineStatementsAndDropComments_When_Splitting()
    {
        SchemaScripts.Split("// c\nCREATE INDEX\n  ON :A(b);\n\nCREATE INDEX ON :C(d);").Should().Equal("CREATE INDEX ON :A(b)", "CREATE INDEX ON :C(d)");
    }
}
