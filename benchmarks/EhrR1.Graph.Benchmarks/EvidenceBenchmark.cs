using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Evidence;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Neo4j;
using EhrR1.Graph.Evidence.Search;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Evidence.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>evidence [--scales 1,20] [--samples-per-task 2000] [--neo4j http://127.0.0.1:7474] [--neo4j-pairs 200]</c>:
/// samples/s of the evidence stage (files in, JSONL out) on a synthetic demo-sized workload and at 20×, on 1 and 2
/// threads, with and without the pair cache; bytes per relation of the adjacency and the 60M-relation estimate;
/// with --neo4j, the same pairs answered by Neo4j shortestPath over HTTP.
/// </summary>
internal sealed class EvidenceBenchmark : IBenchmark
{
    public string Name => "evidence";

    public string Description => "Evidence-path search: samples/s (1 and 2 threads, demo and 20x), bytes/edge, ratio to Neo4j shortestPath";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var scales = BenchmarkArgs.Get(args, "--scales", "1,20").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var perTask = int.Parse(BenchmarkArgs.Get(args, "--samples-per-task", "2000"), CultureInfo.InvariantCulture);
        var neo4j = BenchmarkArgs.Get(args, "--neo4j", "");
        var neo4jPairs = int.Parse(BenchmarkArgs.Get(args, "--neo4j-pairs", "200"), CultureInfo.InvariantCulture);
        Console.WriteLine($"## evidence benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} logical cores, .NET {Environment.Version})");
        Console.WriteLine();
        Console.WriteLine("| workload | nodes | relations | samples | threads | pair cache | samples/s | samples/s per thread | pairs searched |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|---:|---:|---:|");
        var dir = Path.Combine(Path.GetTempPath(), "ehrr1-evidence-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var memoryLines = new List<string>();
        try
        {
            foreach (var scale in scales)
            {
                var workload = new SyntheticEvidenceWorkload(seed: 7, scale: scale, samplesPerTask: (int)(perTask * Math.Max(1, scale / 4)), tasks: 3);
                var folder = Path.Combine(dir, "x" + scale.ToString(CultureInfo.InvariantCulture));
                workload.WriteTo(folder);

                // Memory per relation: managed heap growth while building the adjacency from rows already in memory.
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                var before = GC.GetTotalMemory(forceFullCollection: true);
                var builder = new RelationGraphBuilder();
                foreach (var c in workload.Concepts)
                {
                    builder.AddConcept(c);
                }

                foreach (var r in workload.Relations)
                {
                    builder.AddRelation(r);
                }

                var graph = builder.Build();
                builder = null;
                GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
                var after = GC.GetTotalMemory(forceFullCollection: true);
                var adjacencyPerRelation = graph.AdjacencyBytes / (double)graph.RelationRows;
                var totalPerRelation = (after - before) / (double)graph.RelationRows;
                memoryLines.Add(string.Create(CultureInfo.InvariantCulture, $"| x{scale} | {graph.NodeCount:N0} | {graph.RelationRows:N0} | {adjacencyPerRelation:F1} | {totalPerRelation:F1} | {adjacencyPerRelation * 60e6 / (1 << 30):F2} GiB | {totalPerRelation * 60e6 / (1 << 30):F2} GiB |"));
                GC.KeepAlive(graph);

                foreach (var (threads, cache) in new[] { (1, false), (1, true), (2, true) })
                {
                    var settings = new EvidenceSettings
                    {
                        SamplesPath = Path.Combine(folder, "samples.jsonl"),
                        OutputPath = Path.Combine(folder, $"out-{threads}-{cache}.jsonl"),
                        DegreeOfParallelism = threads,
                        PairCacheCapacity = cache ? 1_000_000 : 0,
                    };
                    var (evidence, g, _) = await EvidenceStageFactory.LoadAsync(settings, Path.Combine(folder, "graph"), Path.Combine(folder, "cooccurrence.jsonl"), null, GraphKind.Umls, EvidenceDefaults.ExcludedRelas, cancellationToken);
                    var stopwatch = Stopwatch.StartNew();
                    var summary = await new EvidenceSearchStage(evidence, NullLogger.Instance).RunAsync(null, cancellationToken);
                    stopwatch.Stop();
                    var rate = summary.Written / stopwatch.Elapsed.TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| x{scale} | {g.NodeCount:N0} | {g.RelationRows:N0} | {summary.Written:N0} | {threads} | {(cache ? "on" : "off")} | {rate:N0} | {rate / threads:N0} | {summary.CacheMisses:N0} |"));
                }

                if (neo4j.Length > 0 && scale <= 1)
                {
                    await CompareWithNeo4jAsync(new Uri(neo4j), workload, graph, neo4jPairs, cancellationToken);
                }
            }

            Console.WriteLine();
            Console.WriteLine("| workload | nodes | relations | adjacency bytes/relation | managed bytes/relation (incl. CUI and name strings) | 60M relations: adjacency | 60M relations: total |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            foreach (var line in memoryLines)
            {
                Console.WriteLine(line);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    private static async Task CompareWithNeo4jAsync(Uri server, SyntheticEvidenceWorkload workload, RelationGraph graph, int pairCount, CancellationToken cancellationToken)
    {
        using var client = new CypherHttpClient(server);
        var prefix = "bench" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_";
        await Neo4jTestGraph.LoadAsync(client, prefix, workload.Concepts.Select(c => c.Cui), workload.Relations.Where(r => !EvidenceDefaults.ExcludedRelas.Contains(r.Rela)), cancellationToken);
        try
        {
            var rng = new Random(3);
            var pairs = Enumerable.Range(0, pairCount).Select(_ => (rng.Next(graph.NodeCount), rng.Next(graph.NodeCount))).Where(p => p.Item1 != p.Item2).ToList();
            var search = new BidirectionalPathSearch(graph, new SearchSettings { RejectSiblingHops = false });
            var sw = Stopwatch.StartNew();
            var found = 0;
            foreach (var (a, b) in pairs)
            {
                found += search.Search(a, b).Outcome == SearchOutcome.Found ? 1 : 0;
            }

            var embedded = sw.Elapsed.TotalSeconds;
            sw.Restart();
            var serverFound = 0;
            foreach (var (a, b) in pairs)
            {
                var rows = await Neo4jTestGraph.ShortestPathAsync(client, prefix, graph.Cuis[a], graph.Cuis[b], cancellationToken);
                serverFound += rows is null ? 0 : 1;
            }

            var remote = sw.Elapsed.TotalSeconds;
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Neo4j shortestPath over HTTP, same {pairs.Count} pairs: embedded {pairs.Count / embedded:N0} pairs/s ({found} found), Neo4j {pairs.Count / remote:N1} pairs/s ({serverFound} found), ratio {remote / embedded:N0}x"));
            Console.WriteLine();
        }
        finally
        {
            await Neo4jTestGraph.DeleteAsync(client, prefix, cancellationToken);
        }
    }
}
