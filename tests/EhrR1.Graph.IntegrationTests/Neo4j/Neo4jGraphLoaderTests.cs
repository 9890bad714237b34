using EhrR1.Graph.Cli.Commands;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.Neo4j;
using EhrR1.Graph.Neo4j.Http;
using EhrR1.Graph.Neo4j.Loading;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.IntegrationTests.Neo4j;

[Collection(Neo4jServerGroup.Name)]
public sealed class Neo4jGraphLoaderTests
{
    private const string Evil = "'}) DETACH DELETE n //";

    private static KnowledgeGraph SmallGraph() =>
        new KnowledgeGraphBuilder()
            .AddConcept(new GraphConcept("C0020621", "Hypokalemia", ["T047"], "DISO"))
            .AddConcept(new GraphConcept("C0032825", "Potassium Chloride", ["T121", "T197"], "CHEM"))
            .AddConcept(new GraphConcept("C0032821", "Potassium", [], null))
            .AddConcept(new GraphConcept("X1", Evil, ["T047"], "DISO"))
            .AddUmlsRelation(new UmlsRelation("C0020621", "C0032825", "RO", "may_be_treated_by", "MED-RT"))
            .AddUmlsRelation(new UmlsRelation("C0032825", "C0020621", "RO", "may_treat", "MED-RT"))
            .AddUmlsRelation(new UmlsRelation("C0032825", "C0032821", "PAR", "", "MSH"))
            .AddUmlsRelation(new UmlsRelation("X1", "C0020621", "RO", Evil, "SRC\"); MATCH (m) DETACH DELETE m; //"))
            .AddTerm(new GraphTerm("Potassium Chloride", "C0032825"))
            .AddTerm(new GraphTerm("K+ \"low\"\n\\ ' é", "C0020621"))
            .AddTerm(new GraphTerm(Evil, "X1"))
            .AddCooccurrence(new CooccurrenceEdge("C0032825", "C0020621", new CooccurrenceStat("prescriptions", "Potassium Chloride", "K+ \"low\"\n\\ ' é", 8, 10, 12, 100, 12.5)))
            .AddCooccurrence(new CooccurrenceEdge("C0032825", "C0032821", new CooccurrenceStat("prescriptions", "Potassium Chloride", "Potassium", 20, 10, 30, 100, 6.0)))
            .AddCooccurrence(new CooccurrenceEdge("C0032825", "X1", new CooccurrenceStat("prescriptions", "Potassium Chloride", Evil, 7, 10, 7, 100, 10.0)))
            .Build();

    private static KnowledgeGraph BigGraph(int concepts, int edges)
    {
        var b = new KnowledgeGraphBuilder();
        for (var i = 0; i < concepts; i++)
        {
            b.AddConcept(new GraphConcept("C" + i.ToString("D7", System.Globalization.CultureInfo.InvariantCulture), "concept " + i, ["T047"], "DISO"));
        }

        var rng = new Random(11);
        for (var e = 0; e < edges; e++)
        {
            var a = "C" + rng.Next(concepts).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            var c = "C" + rng.Next(concepts).ToString("D7", System.Globalization.CultureInfo.InvariantCulture);
            b.AddUmlsRelation(new UmlsRelation(a, c, "RO", "rel" + (e % 17), "SAB" + (e % 3)));
        }

        return b.Build();
    }

    private static async Task<StageReportLike> LoadAsync(Neo4jHttpClient client, KnowledgeGraph g, string checkpoint, int batch = 1000, bool restart = false, int parallel = 1)
    {
        var report = await new Neo4jGraphLoader(client, NullLogger.Instance) { Parallelism = parallel }.LoadAsync(GraphModule.LoadSource(g, "fp-" + g.ConceptCount + "-" + g.UmlsRelationCount), checkpoint, batch, restart, null, CancellationToken.None);
        return new StageReportLike(report.Counts);
    }

    private sealed record StageReportLike(IReadOnlyDictionary<string, long> Counts);

    [RequiresNeo4jFact]
    public async Task Should_AnswerLikeTheEmbeddedStore_When_GraphIsLoaded()
    {
        // Given
        using var tmp = new TempDirectory();
        using var client = Neo4jServerFixture.NewClient();
        await Neo4jServerFixture.ClearAsync(client);
        var g = SmallGraph();

        // When
        await LoadAsync(client, g, tmp.Combine("cp.json"));
        var neo = new Neo4jConceptGraph(client);

        // Then
        (await neo.GetCountsAsync()).Should().BeEquivalentTo(await g.GetCountsAsync());
        (await neo.GetConceptAsync("C0032825")).Should().BeEquivalentTo(await g.GetConceptAsync("C0032825"));
        (await neo.GetNeighboursAsync("C0032825")).Should().BeEquivalentTo(await g.GetNeighboursAsync("C0032825"), o => o.WithStrictOrdering());
        (await neo.GetTopCooccurrencesAsync("C0032825", "prescriptions", 2)).Should().BeEquivalentTo(await g.GetTopCooccurrencesAsync("C0032825", "prescriptions", 2), o => o.WithStrictOrdering());
        (await neo.GetUmlsRelationsAsync("C0020621")).Should().Equal(await g.GetUmlsRelationsAsync("C0020621"));
        (await neo.FindConceptsByNameAsync("potassium chloride")).Select(c => c.Cui).Should().Equal("C0032825");
        var server = await client.ConnectAsync(CancellationToken.None);
        server.Major.Should().BeGreaterThanOrEqualTo(3);
    }

    [RequiresNeo4jFact]
    public async Task Should_StoreInjectionStringsVerbatim_When_LoadingData()
    {
        // Given
        using var tmp = new TempDirectory();
        using var client = Neo4jServerFixture.NewClient();
        await Neo4jServerFixture.ClearAsync(client);

        // When
        await LoadAsync(client, SmallGraph(), tmp.Combine("cp.json"));
        var neo = new Neo4jConceptGraph(client);

        // Then: the strings are data, nothing was deleted
        (await neo.GetConceptAsync("X1"))!.Name.Should().Be(Evil);
        (await neo.FindConceptsByNameAsync(Evil)).Select(c => c.Cui).Should().Equal("X1");
        (await neo.FindConceptsByNameAsync("K+ \"low\"\n\\ ' é")).Select(c => c.Cui).Should().Equal("C0020621");
        var rel = (await neo.GetUmlsRelationsAsync("X1")).Single();
        rel.Rela.Should().Be(Evil);
        rel.Sab.Should().Be("SRC\"); MATCH (m) DETACH DELETE m; //");
        (await neo.GetCountsAsync())["concepts"].Should().Be(4);
    }

    [RequiresNeo4jFact]
    public async Task Should_KeepCountsUnchanged_When_LoadedTwice()
    {
        // Given
        using var tmp = new TempDirectory();
        using var client = Neo4jServerFixture.NewClient();
        await Neo4jServerFixture.ClearAsync(client);
        var g = SmallGraph();
        var neo = new Neo4jConceptGraph(client);
        await LoadAsync(client, g, tmp.Combine("cp.json"), batch: 2);
        var first = await neo.GetCountsAsync();

        // When: a complete checkpoint, then an explicit restart: both re-merge everything
        await LoadAsync(client, g, tmp.Combine("cp.json"), batch: 2);
        await LoadAsync(client, g, tmp.Combine("cp.json"), batch: 3, restart: true);

        // Then
        (await neo.GetCountsAsync()).Should().BeEquivalentTo(first);
        first.Should().BeEquivalentTo(await g.GetCountsAsync());
    }

    [RequiresNeo4jFact]
    public async Task Should_LoadTheSameGraph_When_BatchesRunInParallel()
    {
        // Given a graph whose relationships share nodes across batches
        using var tmp = new TempDirectory();
        using var client = Neo4jServerFixture.NewClient();
        await Neo4jServerFixture.ClearAsync(client);
        var g = BigGraph(300, 6_000);

        // When loaded with 4 concept batches in flight (relationships one batch at a time), then again
        var first = await LoadAsync(client, g, tmp.Combine("cp.json"), batch: 250, parallel: 4);
        var counts = await new Neo4jConceptGraph(client).GetCountsAsync();
        await LoadAsync(client, g, tmp.Combine("cp.json"), batch: 250, parallel: 4);

        // Then every row was sent once, the checkpoint is complete and the server holds the graph once
        first.Counts["umls_rel"].Should().Be(g.UmlsRelationCount);
        LoadCheckpoint.TryLoad(tmp.Combine("cp.json"))!.Should().Match<LoadCheckpoint>(c => c.Complete && c.BatchesDone["umls_rel"] == (g.UmlsRelationCount + 249) / 250);
        counts.Should().BeEquivalentTo(await g.GetCountsAsync());
        (await new Neo4jConceptGraph(client).GetCountsAsync()).Should().BeEquivalentTo(counts);
    }

    [RequiresNeo4jFact]
    [Trait("Category", "Slow")]
    public async Task Should_ResumeAndComplete_When_ServerRestartsMidLoad()
    {
        // Given: a load of 10k relationships in batches of 100
        using var tmp = new TempDirectory();
        var checkpoint = tmp.Combine("cp.json");
        var g = BigGraph(1000, 10_000);
        using (var setup = Neo4jServerFixture.NewClient())
        {
            await Neo4jServerFixture.ClearAsync(setup);
        }

        // When: the server is stopped while the load runs
        Exception? failure;
        using (var client = Neo4jServerFixture.NewClient(attempts: 2))
        {
            var load = LoadAsync(client, g, checkpoint, batch: 100);
            var deadline = DateTime.UtcNow.AddSeconds(120);
            while (!(LoadCheckpoint.TryLoad(checkpoint)?.BatchesDone.GetValueOrDefault("umls_rel") > 2) && !load.IsCompleted && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            (await Neo4jServerFixture.RunScriptAsync("stop")).Should().Be(0);
            failure = await Record.ExceptionAsync(() => load);
        }

        (await Neo4jServerFixture.RunScriptAsync("start")).Should().Be(0);

        // Then: the first run failed as a transient service failure, with part of the relations committed
        failure.Should().BeOfType<ExternalServiceException>().Which.IsTransient.Should().BeTrue();
        var partial = LoadCheckpoint.TryLoad(checkpoint)!;
        partial.Complete.Should().BeFalse();
        partial.BatchesDone["umls_rel"].Should().BeGreaterThan(2).And.BeLessThan(100);

        // And the resumed run completes the graph without duplicates
        using var resumed = Neo4jServerFixture.NewClient();
        var report = await LoadAsync(resumed, g, checkpoint, batch: 100);
        report.Counts["rows_skipped_resumed"].Should().BeGreaterThan(0);
        LoadCheckpoint.TryLoad(checkpoint)!.Complete.Should().BeTrue();
        (await new Neo4jConceptGraph(resumed).GetCountsAsync()).Should().BeEquivalentTo(await g.GetCountsAsync());
    }
}
