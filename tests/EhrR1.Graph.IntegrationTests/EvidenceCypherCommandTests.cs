using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Neo4j;
using EhrR1.Graph.Evidence.Synthetic;
using EhrR1.Graph.IntegrationTests.Neo4j;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.TestSupport;
using CypherDialect = EhrR1.Graph.Neo4j.Http.CypherDialect;

namespace EhrR1.Graph.IntegrationTests;

/// <summary>
/// Issue #6: the statements `evidence cypher` prints run on the server as printed and find paths as long as the
/// embedded search's. Graph, evidence and thinking graphs go in through our own commands (graph load, evidence
/// search, evidence neo4j); the printed statements are run exactly as printed.
/// </summary>
[Collection(Neo4jServerGroup.Name)]
public sealed class EvidenceCypherCommandTests
{
    [RequiresNeo4jFact]
    public Task Should_RunOnTheServerAndMatchTheEmbeddedLengths_When_TheGraphKindIsUmls() => CheckAsync("umls");

    [RequiresNeo4jFact]
    public Task Should_RunOnTheServerAndMatchTheEmbeddedLengths_When_TheGraphKindIsBoth() => CheckAsync("both");

    private static async Task CheckAsync(string kind)
    {
        // Given a small graph (UMLS relations, some of the excluded kinds, and co-occurrence edges) loaded into Neo4j,
        // evidence searched over the same graph (no sibling rule: Cypher cannot express it) and written to Neo4j
        using var dir = new TempDirectory("ehrr1-evidence-cypher-");
        using (var admin = Neo4jServerFixture.NewClient())
        {
            await Neo4jServerFixture.ClearAsync(admin);
        }

        var workload = new SyntheticEvidenceWorkload(seed: 5, scale: 0.02, samplesPerTask: 30, tasks: 1);
        workload.WriteTo(dir.Path);
        var graphDir = dir.Combine("kg");
        Directory.CreateDirectory(graphDir);
        KnowledgeGraphFile.Save(KnowledgeGraphOf(workload), Path.Combine(graphDir, KnowledgeGraphFile.FileName));
        var uri = RequiresNeo4jFactAttribute.ServerUri.ToString();
        var evidence = dir.Combine("evidence.jsonl");
        await RunOk("graph", "load", "--graph", graphDir, "--neo4j", uri);
        await RunOk("evidence", "search", "--samples", dir.Combine("samples.jsonl"), "--graph", graphDir, "--cooccurrence", dir.Combine("cooccurrence.jsonl"), "--search", "upstream", "--graph-kind", kind, "--no-sibling-rule", "--out", evidence);
        await RunOk("evidence", "neo4j", "--evidence", evidence, "--neo4j", uri);
        var records = File.ReadLines(evidence).Select(l => JsonSerializer.Deserialize<EvidenceRecord>(l)!).ToList();
        var sample = records.Where(r => r.Paths.Count > 0).OrderByDescending(r => r.Pairs.Count(p => p.Status == "path")).First();
        using var client = new CypherHttpClient(RequiresNeo4jFactAttribute.ServerUri);
        var major = await client.ServerMajorVersionAsync(CancellationToken.None);

        // When the printed statements (dialect from the server's version) are run exactly as printed
        var printed = JsonDocument.Parse(await RunOk("evidence", "cypher", "--evidence", evidence, "--sample-id", sample.SampleId, "--neo4j", uri)).RootElement.EnumerateArray().ToList();
        var results = new List<List<Dictionary<string, System.Text.Json.Nodes.JsonNode?>>>();
        foreach (var q in printed)
        {
            var parameters = q.GetProperty("parameters").EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone(), StringComparer.Ordinal);
            results.Add((await client.RunAsync([new CypherStatement(q.GetProperty("statement").GetString()!, parameters)], CancellationToken.None))[0]);
        }

        // Then they succeed, are written for the server's generation, and reproduce the sample's paths
        var searched = sample.Pairs.Where(p => p.TargetCui is not null && p.HistoryCui is not null).ToList();
        printed.Should().HaveCount(2 + searched.Count);
        results[0].Should().HaveCount(sample.Paths.Count);
        var compared = 0;
        for (var i = 0; i < searched.Count; i++)
        {
            var statement = printed[2 + i].GetProperty("statement").GetString()!;
            statement.StartsWith(CypherDialect.Cypher23Prefix, StringComparison.Ordinal).Should().Be(major == 3);
            statement.Contains('$', StringComparison.Ordinal).Should().Be(major != 3);
            var pair = searched[i];
            var rows = results[2 + i];
            switch (pair.Status)
            {
                case "path":
                    var embedded = sample.Paths.First(p => p.Target == pair.Target && p.History == pair.History);
                    rows.Should().HaveCount(1, "pair {0} / {1}", pair.TargetCui, pair.HistoryCui);
                    (rows[0]["cuis"]!.AsArray().Count - 1).Should().Be(embedded.Hops.Count, "pair {0} / {1}", pair.TargetCui, pair.HistoryCui);
                    compared++;
                    break;
                case "no_path":
                    rows.Should().BeEmpty("pair {0} / {1} has no path in the embedded graph", pair.TargetCui, pair.HistoryCui);
                    break;
            }
        }

        compared.Should().BeGreaterThan(1);

        // And --execute prints the same rows
        var executed = JsonDocument.Parse(await RunOk("evidence", "cypher", "--evidence", evidence, "--sample-id", sample.SampleId, "--neo4j", uri, "--execute")).RootElement.EnumerateArray().ToList();
        executed.Select(q => q.GetProperty("statement").GetString()).Should().Equal(printed.Select(q => q.GetProperty("statement").GetString()));
        executed.Select(q => q.GetProperty("rows").GetArrayLength()).Should().Equal(results.Select(r => r.Count));

        // And an explicit generation overrides the server's: 5 keeps $name parameters, 3.1 writes the 2.3 form
        var five = JsonDocument.Parse(await RunOk("evidence", "cypher", "--evidence", evidence, "--sample-id", sample.SampleId, "--server-version", "5")).RootElement;
        five[2].GetProperty("statement").GetString().Should().StartWith("MATCH").And.Contain("$target_cui");
        var three = JsonDocument.Parse(await RunOk("evidence", "cypher", "--evidence", evidence, "--sample-id", sample.SampleId, "--server-version", "3.1")).RootElement;
        three[2].GetProperty("statement").GetString().Should().StartWith("CYPHER 2.3\n").And.Contain("{target_cui}").And.NotContain("$");
    }

    /// <summary>The workload's concepts and relations, and a co_occurs edge for each co-occurrence row whose two
    /// terms name concepts.</summary>
    private static KnowledgeGraph KnowledgeGraphOf(SyntheticEvidenceWorkload workload)
    {
        var b = new KnowledgeGraphBuilder();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var c in workload.Concepts)
        {
            b.AddConcept(c);
            byName.TryAdd(c.Name, c.Cui);
        }

        foreach (var r in workload.Relations)
        {
            b.AddUmlsRelation(r);
        }

        foreach (var s in workload.Cooccurrence.Where(s => s.Lift > 5 && s.HistoryDf >= 5))
        {
            if (byName.TryGetValue(s.Target, out var t) && byName.TryGetValue(s.History, out var h) && t != h)
            {
                b.AddCooccurrence(new CooccurrenceEdge(t, h, s));
            }
        }

        return b.Build();
    }

    private static async Task<string> RunOk(params string[] args)
    {
        using var output = new StringWriter(CultureInfo.InvariantCulture);
        using var error = new StringWriter(CultureInfo.InvariantCulture);
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        code.Should().Be(0, "ehr-graph {0} {1} failed: {2}", args[0], args[1], error.ToString());
        return output.ToString();
    }
}
