using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Neo4j;
using EhrR1.Graph.Evidence.Search;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Evidence.Synthetic;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.IntegrationTests;

[Collection(EhrR1.Graph.IntegrationTests.Neo4j.Neo4jServerGroup.Name)]
public sealed class EvidenceNeo4jAgreementTests
{
    [RequiresNeo4jFact]
    public async Task Should_AgreeWithNeo4jShortestPath_When_SearchingTheSamePairs()
    {
        // Given a random relation graph loaded both embedded and into Neo4j
        var rng = new Random(17);
        const int nodes = 400;
        var relas = new[] { "isa", "may_treat", "has_finding_site", "Has contraindicated drug" };
        var rows = Enumerable.Range(0, 700)
            .Select(_ => new UmlsRelation(SyntheticEvidenceWorkload.Cui(rng.Next(nodes)), SyntheticEvidenceWorkload.Cui(rng.Next(nodes)), "RO", relas[rng.Next(relas.Length)], "T"))
            .Where(r => r.Cui1 != r.Cui2)
            .ToList();
        var graph = BuildGraph(nodes, rows);
        using var client = new CypherHttpClient(RequiresNeo4jFactAttribute.ServerUri);
        var prefix = "agree" + Guid.NewGuid().ToString("N")[..8] + "_";
        await Neo4jTestGraph.LoadAsync(client, prefix, Enumerable.Range(0, nodes).Select(SyntheticEvidenceWorkload.Cui), rows.Where(r => !EvidenceDefaults.ExcludedRelas.Contains(r.Rela)), CancellationToken.None);
        try
        {
            var search = new BidirectionalPathSearch(graph, new SearchSettings { RejectSiblingHops = false, MaxExploredNodes = 100_000, MaxHopsPerSide = 20 });
            var compared = 0;
            var connected = 0;
            for (var q = 0; q < 60; q++)
            {
                var a = rng.Next(nodes);
                var b = rng.Next(nodes);
                if (a == b)
                {
                    continue;
                }

                // When
                var embedded = search.Search(graph.NodeOf(SyntheticEvidenceWorkload.Cui(a)), graph.NodeOf(SyntheticEvidenceWorkload.Cui(b)));
                var server = await Neo4jTestGraph.ShortestPathAsync(client, prefix, SyntheticEvidenceWorkload.Cui(a), SyntheticEvidenceWorkload.Cui(b), CancellationToken.None);

                // Then
                if (server is null)
                {
                    embedded.Outcome.Should().Be(SearchOutcome.NoPath);
                }
                else
                {
                    embedded.Outcome.Should().Be(SearchOutcome.Found);
                    embedded.Paths[0].Length.Should().Be(server.Value, "pair {0}-{1}", a, b);
                    connected++;
                }

                compared++;
            }

            compared.Should().BeGreaterThan(50);
            connected.Should().BeGreaterThan(10);
        }
        finally
        {
            await Neo4jTestGraph.DeleteAsync(client, prefix, CancellationToken.None);
        }
    }

    [RequiresNeo4jFact]
    public async Task Should_AgreeWithNeo4jOnThePairEdgeRule_When_CooccurrenceEdgesAreMixedIn()
    {
        // Given a random graph of UMLS relations and co_occurs edges, loaded embedded and into Neo4j
        var rng = new Random(29);
        const int nodes = 300;
        var rows = Enumerable.Range(0, 600)
            .Select(_ => new UmlsRelation(SyntheticEvidenceWorkload.Cui(rng.Next(nodes)), SyntheticEvidenceWorkload.Cui(rng.Next(nodes)), "RO", rng.Next(3) == 0 ? RelationGraph.CooccurLabel : "isa", "T"))
            .Where(r => r.Cui1 != r.Cui2)
            .ToList();
        var graph = BuildGraph(nodes, rows);
        using var client = new CypherHttpClient(RequiresNeo4jFactAttribute.ServerUri);
        var prefix = "pair" + Guid.NewGuid().ToString("N")[..8] + "_";
        await Neo4jTestGraph.LoadAsync(client, prefix, Enumerable.Range(0, nodes).Select(SyntheticEvidenceWorkload.Cui), rows, CancellationToken.None);
        try
        {
            var unbounded = new SearchSettings { RejectSiblingHops = false, MaxExploredNodes = 100_000, MaxHopsPerSide = 20 };
            var skip = new BidirectionalPathSearch(graph, unbounded);
            var keep = new BidirectionalPathSearch(graph, unbounded with { KeepPairCooccurrence = true });
            var pairEdges = rows.Where(r => r.Rela == RelationGraph.CooccurLabel).Take(40).ToList();
            var changed = 0;
            foreach (var e in pairEdges)
            {
                // When each co-occurring pair is searched both ways
                foreach (var keepEdge in new[] { false, true })
                {
                    var embedded = (keepEdge ? keep : skip).Search(graph.NodeOf(e.Cui1), graph.NodeOf(e.Cui2));
                    var server = await Neo4jTestGraph.ShortestPathWithCooccurrenceAsync(client, prefix, e.Cui1, e.Cui2, keepEdge, CancellationToken.None);

                    // Then both agree on whether a path exists and on its length
                    if (server is null)
                    {
                        embedded.Outcome.Should().Be(SearchOutcome.NoPath, "{0}-{1} keep={2}", e.Cui1, e.Cui2, keepEdge);
                    }
                    else
                    {
                        embedded.Paths[0].Length.Should().Be(server.Value, "{0}-{1} keep={2}", e.Cui1, e.Cui2, keepEdge);
                        if (keepEdge)
                        {
                            server.Value.Should().Be(1);
                        }
                    }
                }

                changed += skip.Search(graph.NodeOf(e.Cui1), graph.NodeOf(e.Cui2)).Paths is [{ Length: > 1 }, ..] ? 1 : 0;
            }

            changed.Should().BeGreaterThan(10, "most co-occurring pairs are also joined through other concepts");
        }
        finally
        {
            await Neo4jTestGraph.DeleteAsync(client, prefix, CancellationToken.None);
        }
    }

    [RequiresNeo4jFact]
    public async Task Should_ReproduceASamplesPathsFromNeo4j_When_ThinkingGraphsAreWritten()
    {
        // Given an evidence file
        using var dir = new TempDirectory("ehrr1-evidence-neo4j-");
        var workload = new SyntheticEvidenceWorkload(seed: 5, scale: 0.02, samplesPerTask: 30, tasks: 1);
        workload.WriteTo(dir.Path);
        var settings = new EvidenceSettings { SamplesPath = dir.Combine("samples.jsonl"), OutputPath = dir.Combine("evidence.jsonl"), Mode = SearchMode.Upstream };
        var (builder, _, _) = await EvidenceStageFactory.LoadAsync(settings, dir.Combine("graph"), dir.Combine("cooccurrence.jsonl"), null, GraphKind.Umls, EvidenceDefaults.ExcludedRelas, CancellationToken.None);
        await new EvidenceSearchStage(builder, NullLogger.Instance).RunAsync(null, CancellationToken.None);
        var records = File.ReadLines(settings.OutputPath).Select(l => System.Text.Json.JsonSerializer.Deserialize<EvidenceRecord>(l)!).ToList();
        var sample = records.First(r => r.Paths.Count > 0);
        using var client = new CypherHttpClient(RequiresNeo4jFactAttribute.ServerUri);

        // When written twice (idempotent) and read back with the documented query
        await new ThinkingGraphWriter(client).WriteAsync(settings.OutputPath, null, CancellationToken.None);
        await new ThinkingGraphWriter(client).WriteAsync(settings.OutputPath, null, CancellationToken.None);
        var rows = await client.RunAsync([new CypherStatement(ThinkingGraphCypher.SamplePaths, new Dictionary<string, object?> { ["sample_id"] = sample.SampleId })], CancellationToken.None);

        // Then
        rows[0].Should().HaveCount(sample.Paths.Count);
        var byId = rows[0].ToDictionary(r => r["path_id"]!.GetValue<string>(), StringComparer.Ordinal);
        for (var i = 0; i < sample.Paths.Count; i++)
        {
            // path ids sort as strings (#10 before #2), so match rows by id, not by position
            byId[ThinkingGraphCypher.PathId(sample.SampleId, i)]["cuis"]!.AsArray().Select(n => n!.GetValue<string>())
                .Should().Equal(sample.Paths[i].Nodes.Select(n => n.Cui));
        }

        // and the rewrite replaced every sample's hops instead of adding a second copy
        var ids = records.Select(r => r.SampleId).ToList();
        var hops = await client.RunAsync([new CypherStatement("MATCH (:Concept)-[e:EVIDENCE]->(:Concept) WHERE e.sample_id IN $ids RETURN count(e) AS n", new Dictionary<string, object?> { ["ids"] = ids })], CancellationToken.None);
        hops[0][0]["n"]!.GetValue<long>().Should().Be(records.Sum(r => r.Paths.Sum(p => (long)p.Hops.Count)));

        await client.RunAsync(
            [
                new CypherStatement("MATCH (:Concept)-[e:EVIDENCE]->(:Concept) WHERE e.sample_id IN $ids DELETE e", new Dictionary<string, object?> { ["ids"] = ids }),
                new CypherStatement("MATCH (s:Sample) WHERE s.task = $task OPTIONAL MATCH (s)-[:HAS_PATH]->(p:EvidencePath) DETACH DELETE p, s", new Dictionary<string, object?> { ["task"] = sample.Task }),
            ],
            CancellationToken.None);
    }

    /// <summary>The embedded graph of <paramref name="nodes"/> synthetic concepts and the given relations.</summary>
    private static RelationGraph BuildGraph(int nodes, List<UmlsRelation> rows)
    {
        var builder = new RelationGraphBuilder();
        for (var i = 0; i < nodes; i++)
        {
            builder.AddConcept(SyntheticEvidenceWorkload.Cui(i), null);
        }

        rows.ForEach(builder.AddRelation);
        return builder.Build();
    }
}
