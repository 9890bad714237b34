using System.Text.Json;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.Neo4j;
using EhrR1.Graph.Neo4j.Http;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.EndToEnd.Tests;

/// <summary>
/// The main command with <c>--neo4j URL</c> against the real server of <c>EHRR1_TEST_NEO4J_URI</c>: the second run of
/// <see cref="DemoRunFixture"/> loads the run's graph and thinking graphs there (steps graph-load, evidence-neo4j),
/// and running those steps' commands again changes nothing.
/// </summary>
[Collection(DemoRunGroup.Name)]
public sealed class Neo4jRunTests(DemoRunFixture demo)
{
    [RequiresDemoAndNeo4jFact]
    public async Task MainCommand_WithNeo4j_LoadsTheGraphAndTheThinkingGraphs()
    {
        // Given the first run, then the same command with --neo4j on an empty server
        _ = RequiresNeo4jFactAttribute.ServerUri; // fails here, saying why, when CI has no server
        var run = demo.Second;
        run.ExitCode.Should().Be(0, "the run with --neo4j must succeed; its log ends with:\n" + run.Tail());

        // Then only the two Neo4j steps ran
        var steps = run.StepStatuses();
        steps.Where(s => s.Value == "ran").Select(s => s.Key).Should().BeEquivalentTo(["graph-load", "evidence-neo4j", "report"]);

        // and the server holds the embedded graph and every sample's thinking graph
        await ServerHoldsTheRunAsync();
    }

    [RequiresDemoAndNeo4jFact]
    public async Task MainCommand_WithNeo4j_LoadingAgainChangesNothing()
    {
        _ = RequiresNeo4jFactAttribute.ServerUri;
        _ = demo.Second;
        var again = demo.Reload;
        again.ExitCode.Should().Be(0, "graph load and evidence neo4j must succeed when run again; the log ends with:\n" + again.Tail());
        await ServerHoldsTheRunAsync();
    }

    private async Task ServerHoldsTheRunAsync()
    {
        using var client = Neo4jRun.Client(RequiresNeo4jFactAttribute.ServerUri);
        var graph = KnowledgeGraphFile.Load(Path.Combine(demo.RunDir, "graph", KnowledgeGraphFile.FileName));
        var embedded = await graph.GetCountsAsync();
        var server = await new Neo4jConceptGraph(client).GetCountsAsync();
        embedded["concepts"].Should().BeGreaterThan(1000, "the demo graph is not empty");
        server.Should().BeEquivalentTo(embedded, "the server holds exactly the run's graph (concepts, terms, CO_OCCURS, UMLS_REL)");

        var records = File.ReadLines(Path.Combine(demo.RunDir, "evidence", "evidence.jsonl"))
            .Select(line => JsonDocument.Parse(line).RootElement)
            .ToList();
        var samples = await client.ExecuteAsync(new CypherStatement("MATCH (s:Sample) OPTIONAL MATCH (s)-[:HAS_PATH]->(p:EvidencePath) RETURN count(DISTINCT s), count(p)"), CancellationToken.None);
        samples.Rows[0][0].GetInt64().Should().Be(records.Count, "one Sample node per evidence record");
        samples.Rows[0][1].GetInt64().Should().Be(records.Sum(r => r.GetProperty("paths").GetArrayLength()), "one EvidencePath per path, none twice");

        // one sample's thinking graph: its paths, in order, through the same concepts as in the evidence file
        var sample = records.First(r => r.GetProperty("paths").GetArrayLength() > 1);
        var id = sample.GetProperty("sample_id").GetString()!;
        var expected = sample.GetProperty("paths").EnumerateArray()
            .Select((p, i) => (Index: i, Cuis: string.Join(' ', p.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("cui").GetString()))))
            .ToDictionary(p => id + "#" + p.Index, p => p.Cuis, StringComparer.Ordinal);
        var stored = await client.ExecuteAsync(
            new CypherStatement(
                "MATCH (s:Sample {sample_id: $id})-[:HAS_PATH]->(p:EvidencePath)-[st:STEP]->(c:Concept) WITH s, p, st, c ORDER BY st.pos " +
                "RETURN s.task, s.status, p.path_id, collect(c.cui)",
                new Dictionary<string, object?>(StringComparer.Ordinal) { ["id"] = id }),
            CancellationToken.None);
        stored.Rows.Should().OnlyContain(r => r[0].GetString() == sample.GetProperty("task").GetString() && r[1].GetString() == sample.GetProperty("status").GetString());
        stored.Rows.ToDictionary(r => r[2].GetString()!, r => string.Join(' ', r[3].EnumerateArray().Select(c => c.GetString())), StringComparer.Ordinal)
            .Should().BeEquivalentTo(expected, "sample {0}'s paths are stored with their concepts in path order", id);
        var uses = await client.ExecuteAsync(
            new CypherStatement("MATCH (:Sample {sample_id: $id})-[u:USES]->(c:Concept) RETURN count(u), count(c.name)", new Dictionary<string, object?>(StringComparer.Ordinal) { ["id"] = id }),
            CancellationToken.None);
        var usedCuis = sample.GetProperty("pairs").EnumerateArray()
            .SelectMany(p => new[] { ("target", p.GetProperty("target_cui")), ("history", p.GetProperty("history_cui")) })
            .Where(p => p.Item2.ValueKind == JsonValueKind.String)
            .Select(p => p.Item1 + " " + p.Item2.GetString())
            .Distinct(StringComparer.Ordinal)
            .Count();
        uses.Rows[0][0].GetInt64().Should().Be(usedCuis, "one USES per concept and role of the sample's pairs");
        uses.Rows[0][1].GetInt64().Should().Be(usedCuis, "every used concept has its name");
    }
}

/// <summary>The test server: a client with the environment's credentials, and emptying it.</summary>
internal static class Neo4jRun
{
    public static Neo4jHttpClient Client(Uri server) => new(Neo4jSettings.FromEnvironment(server), NullLogger.Instance);

    /// <summary>Deletes every relationship, then every node, in chunks (the test server has a small heap, and a chunk of
    /// nodes deleted with DETACH takes all their relationships into one transaction: too many for category hubs).</summary>
    public static async Task ClearAsync(Uri server)
    {
        using var client = Client(server);
        foreach (var statement in new[] { "MATCH ()-[r]->() WITH r LIMIT 20000 DELETE r RETURN count(*)", "MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*)" })
        {
            while (true)
            {
                var r = await client.ExecuteAsync(new CypherStatement(statement), CancellationToken.None);
                if (r.Rows[0][0].GetInt64() == 0)
                {
                    break;
                }
            }
        }
    }
}

/// <summary>
/// Needs the shared data and a Neo4j server (<c>EHRR1_TEST_NEO4J_URI</c>): skipped when either is missing on a
/// developer machine, run (and failed with what is missing) when <c>EHRR1_REQUIRE_INTEGRATION=1</c>.
/// </summary>
public sealed class RequiresDemoAndNeo4jFactAttribute : FactAttribute
{
    public RequiresDemoAndNeo4jFactAttribute()
    {
        var data = new RequiresDataFactAttribute();
        var neo4j = new RequiresNeo4jFactAttribute();
        Skip = data.Skip ?? neo4j.Skip;
    }
}
