using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.Neo4j;
using EhrR1.Graph.Neo4j.Http;
using EhrR1.Graph.Neo4j.Loading;
using EhrR1.Graph.Tasks.Indexing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>graph</c>: co-occurrence counting at demo scale and 20× (synthetic patients shaped like the MIMIC-IV demo),
/// the embedded store's load time, and — when <c>EHRR1_TEST_NEO4J_URI</c> is set — the HTTP load rate into Neo4j.
/// Args: [--neo4j-relationships N] (default 100000) [--batch-size N] (default 10000) [--parallel N] (default 2)
/// [--neo4j-only] (skip the co-occurrence and embedded-store parts).
/// </summary>
internal sealed class GraphBenchmark : IBenchmark
{
    public string Name => "graph";

    public string Description => "co-occurrence counting (demo, 20x), embedded graph load time, Neo4j HTTP load rate";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var rels = BenchmarkArgs.Get(args, "--neo4j-relationships", 100_000);
        var batch = BenchmarkArgs.Get(args, "--batch-size", 10_000);
        var parallel = BenchmarkArgs.Get(args, "--parallel", Neo4jGraphLoader.DefaultParallelism);
        var neo4jOnly = args.Contains("--neo4j-only", StringComparer.Ordinal);
        Console.WriteLine($"# graph benchmark ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}, load average {MachineLoad.LoadAverages()})");

        foreach (var scale in neo4jOnly ? [] : new[] { 1, 20 })
        {
            var (samples, patients) = Synthetic(100 * scale, seed: 5);
            var counter = new CooccurrenceCounter(new CooccurrenceSettings());
            counter.Count(samples.Take(100), patients.Take(2), cancellationToken); // warm-up
            var sw = Stopwatch.StartNew();
            var table = counter.Count(samples, patients, cancellationToken);
            sw.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| cooccur | {100 * scale} patients, {samples.Count} samples | {table.PairsCounted:N0} pairs | {sw.Elapsed.TotalSeconds:F2} s | {table.PairsCounted / sw.Elapsed.TotalSeconds / 1e6:F1} M pairs/s |"));
        }

        if (!neo4jOnly)
        {
            using var tmp = new TempFolder();
            var g = BigGraph(50_000, 300_000, 100_000);
            var path = Path.Combine(tmp.Path, "graph.bin");
            KnowledgeGraphFile.Save(g, path);
            KnowledgeGraphFile.Load(path); // warm-up
            var sw = Stopwatch.StartNew();
            var loaded = KnowledgeGraphFile.Load(path);
            sw.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| embedded load | {loaded.ConceptCount:N0} concepts, {loaded.UmlsRelationCount:N0} UMLS_REL, {loaded.CooccurrenceCount:N0} CO_OCCURS, {new FileInfo(path).Length / 1e6:F1} MB | {sw.Elapsed.TotalMilliseconds:F0} ms |"));
        }

        if (Environment.GetEnvironmentVariable("EHRR1_TEST_NEO4J_URI") is { Length: > 0 } uri)
        {
            using var client = new Neo4jHttpClient(Neo4jSettings.FromEnvironment(new Uri(uri)), NullLogger.Instance);
            var server = await client.ConnectAsync(cancellationToken);
            await client.ExecuteAsync(new CypherStatement("MATCH (n) WITH n LIMIT 1000000 DETACH DELETE n"), cancellationToken);
            var g = BigGraph(rels / 5, rels, 0);
            using var tmp = new TempFolder();
            var sw = Stopwatch.StartNew();
            var report = await new Neo4jGraphLoader(client, NullLogger.Instance) { Parallelism = parallel }.LoadAsync(new GraphLoadSource("bench", g.ConceptCount, g.Concepts, g.TermLinkCount, g.TermLinks, g.CooccurrenceCount, g.Cooccurrences, g.UmlsRelationCount, g.UmlsRelations), Path.Combine(tmp.Path, "cp.json"), batch, restart: true, null, cancellationToken);
            sw.Stop();
            var counts = await new Neo4jConceptGraph(client).GetCountsAsync(cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| neo4j load (HTTP, {server.Version}, batch {batch}, {parallel} in flight) | {report.Counts["concepts"]:N0} concepts + {report.Counts["umls_rel"]:N0} relationships | {sw.Elapsed.TotalSeconds:F1} s | {(report.Counts["concepts"] + report.Counts["umls_rel"]) / sw.Elapsed.TotalSeconds:N0} rows/s | load {MachineLoad.LoadAverages()} |"));
            if (counts["umls_rel"] != g.UmlsRelationCount)
            {
                Console.Error.WriteLine($"count mismatch: {counts["umls_rel"]} in Neo4j, {g.UmlsRelationCount} in the graph");
                return 1;
            }

            // relationships only, on the already loaded nodes: the rate the issue asks for
            var relsOnly = new GraphLoadSource("bench-rels", 0, () => [], 0, () => [], 0, () => [], g.UmlsRelationCount, g.UmlsRelations);
            await client.ExecuteAsync(new CypherStatement("MATCH ()-[r:UMLS_REL]->() WITH r LIMIT 1000000 DELETE r"), cancellationToken);
            sw.Restart();
            await new Neo4jGraphLoader(client, NullLogger.Instance) { Parallelism = parallel }.LoadAsync(relsOnly, Path.Combine(tmp.Path, "cp2.json"), batch, restart: true, null, cancellationToken);
            sw.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| neo4j relationships (HTTP MERGE, batch {batch}, {parallel} in flight) | {g.UmlsRelationCount:N0} | {sw.Elapsed.TotalSeconds:F1} s | {g.UmlsRelationCount / sw.Elapsed.TotalSeconds:N0} relationships/s | load {MachineLoad.LoadAverages()} |"));
        }
        else
        {
            Console.WriteLine("| neo4j load | skipped: set EHRR1_TEST_NEO4J_URI (scripts/neo4j.sh start prints it) | | |");
        }

        return 0;
    }

    /// <summary>Patients shaped like the demo: ~60 concept events each, 4 labels per event, 25 tasks.</summary>
    private static (List<TaskIndexRow> Samples, List<PatientConcepts> Patients) Synthetic(int patients, int seed)
    {
        var rng = new Random(seed);
        var tasks = Enumerable.Range(0, 25).Select(i => "task" + i.ToString("D2", CultureInfo.InvariantCulture)).ToArray();
        var vocabulary = Enumerable.Range(0, 3000).Select(i => "concept " + i.ToString(CultureInfo.InvariantCulture)).ToArray();
        var samples = new List<TaskIndexRow>();
        var list = new List<PatientConcepts>();
        for (var p = 1; p <= patients; p++)
        {
            var events = new List<EventConcepts>();
            for (var i = 1; i <= 300; i++)
            {
                var task = tasks[rng.Next(tasks.Length)];
                var labels = Enumerable.Range(0, 4).Select(_ => vocabulary[(int)Math.Min(vocabulary.Length - 1, Math.Abs(rng.NextDouble() * rng.NextDouble()) * vocabulary.Length)]).Distinct().ToList();
                events.Add(new EventConcepts { Index = i, Table = task, Labels = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal) { [task] = labels } });
                if (i > 20 && rng.NextDouble() < 0.2)
                {
                    samples.Add(new TaskIndexRow { SampleId = $"{task}:{p}:{i}", Task = task, Event = task, Target = [], SubjectId = p, TargetIndex = i, ContextBegin = i - 20, ContextEnd = i });
                }
            }

            list.Add(new PatientConcepts(p, events));
        }

        return (samples, list);
    }

    private static KnowledgeGraph BigGraph(int concepts, int umls, int co)
    {
        var rng = new Random(3);
        string Cui(int i) => "C" + i.ToString("D7", CultureInfo.InvariantCulture);
        var b = new KnowledgeGraphBuilder();
        for (var i = 0; i < concepts; i++)
        {
            b.AddConcept(new GraphConcept(Cui(i), "concept " + i.ToString(CultureInfo.InvariantCulture), ["T047"], "DISO"));
        }

        for (var e = 0; e < umls; e++)
        {
            b.AddUmlsRelation(new UmlsRelation(Cui(rng.Next(concepts)), Cui(rng.Next(concepts)), "RO", "rel" + (e % 50).ToString(CultureInfo.InvariantCulture), "SAB"));
        }

        for (var e = 0; e < co; e++)
        {
            var t = rng.Next(concepts);
            var h = rng.Next(concepts);
            b.AddCooccurrence(new CooccurrenceEdge(Cui(t), Cui(h), new CooccurrenceStat("task" + (e % 25).ToString(CultureInfo.InvariantCulture), "concept " + t.ToString(CultureInfo.InvariantCulture), "concept " + h.ToString(CultureInfo.InvariantCulture), 10, 20, 30, 1000, 8.5)));
        }

        return b.Build();
    }

    private sealed class TempFolder : IDisposable
    {
        public string Path { get; } = Directory.CreateDirectory(System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ehrr1-bench-" + Guid.NewGuid().ToString("N")[..8])).FullName;

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
