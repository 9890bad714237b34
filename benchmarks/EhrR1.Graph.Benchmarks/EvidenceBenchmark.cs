using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Evidence;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Neo4j;
using EhrR1.Graph.Evidence.Search;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Evidence.Synthetic;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>evidence [--scales 1,20] [--search knowledge,upstream] [--samples-per-task 2000] [--max-samples 12000] [--neo4j http://127.0.0.1:7474]
/// [--neo4j-pairs 300] [--neo4j-seconds 240]</c>: samples/s of the evidence stage (files in, JSONL out) on a
/// synthetic demo-sized workload and at 20×, on 1 and 2 threads, with and without the pair cache (wall, process CPU
/// and load average beside every figure); bytes per relation of the adjacency and the 60M-relation estimate; with
/// --neo4j, a fixed random subset of the pairs the x1 stage searched, answered one by one by the embedded search and
/// by Neo4j shortestPath over HTTP (per-pair times, ratio, agreement of lengths). Every part is bounded: the sample
/// count by --max-samples, the Neo4j queries by a pair count and a time budget.
/// </summary>
internal sealed class EvidenceBenchmark : IBenchmark
{
    public string Name => "evidence";

    public string Description => "Evidence-path search: samples/s (1 and 2 threads, demo and 20x), bytes/edge, per-pair ratio to Neo4j shortestPath";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var scales = BenchmarkArgs.Get(args, "--scales", "1,20").Split(',').Select(s => double.Parse(s, CultureInfo.InvariantCulture)).ToList();
        var perTask = BenchmarkArgs.Get(args, "--samples-per-task", 2000);
        var maxSamples = BenchmarkArgs.Get(args, "--max-samples", 12_000);
        var neo4j = BenchmarkArgs.Get(args, "--neo4j", "");
        var neo4jPairs = BenchmarkArgs.Get(args, "--neo4j-pairs", 300);
        var neo4jSeconds = BenchmarkArgs.Get(args, "--neo4j-seconds", 240);
        var modes = BenchmarkArgs.Get(args, "--search", "knowledge,upstream").Split(',')
            .Select(m => m == "upstream" ? SearchMode.Upstream : SearchMode.Knowledge).ToList();
        const int tasks = 3;
        Console.WriteLine($"## evidence benchmark ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} logical cores, .NET {Environment.Version}, load average {MachineLoad.LoadAverages()})");
        Console.WriteLine();
        Console.WriteLine("| workload | search | nodes | relations | samples | threads | pair cache | wall s | CPU s | samples/s wall | samples per CPU-second | pairs searched | load |");
        Console.WriteLine("|---|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---|");
        var dir = Path.Combine(Path.GetTempPath(), "ehrr1-evidence-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        var memoryLines = new List<string>();
        var comparison = new List<string>();
        try
        {
            foreach (var scale in scales)
            {
                var samplesPerTask = Math.Min((int)(perTask * Math.Max(1, scale / 4)), Math.Max(1, maxSamples / tasks));
                var workload = new SyntheticEvidenceWorkload(seed: 7, scale: scale, samplesPerTask: samplesPerTask, tasks: tasks);
                var folder = Path.Combine(dir, "x" + scale.ToString(CultureInfo.InvariantCulture));
                workload.WriteTo(folder);
                var graph = MeasureMemory(workload, scale, memoryLines);

                string? firstOutput = null;
                foreach (var (mode, threads, cache) in modes.SelectMany(m => m == SearchMode.Knowledge
                             ? new[] { (m, 1, false), (m, 2, false) }
                             : [(m, 1, false), (m, 1, true), (m, 2, true)]))
                {
                    var settings = new EvidenceSettings
                    {
                        SamplesPath = Path.Combine(folder, "samples.jsonl"),
                        OutputPath = Path.Combine(folder, $"out-{mode}-{threads}-{cache}.jsonl"),
                        Mode = mode,
                        DegreeOfParallelism = threads,
                        PairCacheCapacity = cache ? 1_000_000 : 0,
                    };
                    if (mode == SearchMode.Upstream)
                    {
                        firstOutput ??= settings.OutputPath; // the Neo4j comparison re-runs upstream pair searches
                    }
                    var (evidence, g, _) = await EvidenceStageFactory.LoadAsync(settings, Path.Combine(folder, "graph"), Path.Combine(folder, "cooccurrence.jsonl"), null, GraphKind.Umls, EvidenceDefaults.ExcludedRelas, cancellationToken);
                    var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
                    var stopwatch = Stopwatch.StartNew();
                    var summary = await new EvidenceSearchStage(evidence, NullLogger.Instance).RunAsync(null, cancellationToken);
                    stopwatch.Stop();
                    var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
                    var wall = stopwatch.Elapsed.TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| x{scale} | {mode.ToString().ToLowerInvariant()} | {g.NodeCount:N0} | {g.RelationRows:N0} | {summary.Written:N0} | {threads} | {(mode == SearchMode.Knowledge ? "per target" : cache ? "on" : "off")} | {wall:F2} | {cpu:F2} | {summary.Written / wall:N0} | {summary.Written / cpu:N0} | {summary.CacheMisses:N0} | {MachineLoad.LoadAverage()} |"));
                }

                if (neo4j.Length > 0 && scale <= 1 && firstOutput is not null)
                {
                    var pairs = SearchedPairs(firstOutput!, graph, neo4jPairs);
                    comparison.Add(await CompareWithNeo4jAsync(new Uri(neo4j), workload, graph, pairs, TimeSpan.FromSeconds(neo4jSeconds), cancellationToken));
                }
            }

            Console.WriteLine();
            Console.WriteLine("| workload | nodes | relations | adjacency bytes/relation | managed bytes/relation (incl. CUI and name strings) | 60M relations: adjacency | 60M relations: total |");
            Console.WriteLine("|---|---:|---:|---:|---:|---:|---:|");
            memoryLines.ForEach(Console.WriteLine);
            foreach (var line in comparison)
            {
                Console.WriteLine();
                Console.WriteLine(line);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return 0;
    }

    /// <summary>Managed heap growth while building the adjacency from rows already in memory, per relation.</summary>
    private static RelationGraph MeasureMemory(SyntheticEvidenceWorkload workload, double scale, List<string> lines)
    {
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
        GC.KeepAlive(builder);
        builder = null;
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        var adjacency = graph.AdjacencyBytes / (double)graph.RelationRows;
        var total = (after - before) / (double)graph.RelationRows;
        lines.Add(string.Create(CultureInfo.InvariantCulture, $"| x{scale} | {graph.NodeCount:N0} | {graph.RelationRows:N0} | {adjacency:F1} | {total:F1} | {adjacency * 60e6 / (1 << 30):F2} GiB | {total * 60e6 / (1 << 30):F2} GiB |"));
        return graph;
    }

    /// <summary>A fixed random subset (seed 11) of the distinct (target CUI, history CUI) pairs the stage searched.</summary>
    private static List<(int Start, int End)> SearchedPairs(string evidencePath, RelationGraph graph, int count)
    {
        var all = new HashSet<(int, int)>();
        foreach (var line in File.ReadLines(evidencePath))
        {
            using var doc = JsonDocument.Parse(line);
            foreach (var p in doc.RootElement.GetProperty("pairs").EnumerateArray())
            {
                if (p.GetProperty("target_cui").ValueKind == JsonValueKind.String && p.GetProperty("history_cui").ValueKind == JsonValueKind.String)
                {
                    var a = graph.NodeOf(p.GetProperty("target_cui").GetString()!);
                    var b = graph.NodeOf(p.GetProperty("history_cui").GetString()!);
                    if (a >= 0 && b >= 0 && a != b)
                    {
                        all.Add((a, b));
                    }
                }
            }
        }

        var sorted = all.OrderBy(p => p.Item1).ThenBy(p => p.Item2).ToArray();
        new Random(11).Shuffle(sorted);
        return [.. sorted.Take(count)];
    }

    private static async Task<string> CompareWithNeo4jAsync(Uri server, SyntheticEvidenceWorkload workload, RelationGraph graph, List<(int Start, int End)> pairs, TimeSpan budget, CancellationToken cancellationToken)
    {
        using var client = new CypherHttpClient(server);
        var prefix = "bench" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "_";
        var load = Stopwatch.StartNew();
        await Neo4jTestGraph.LoadAsync(client, prefix, workload.Concepts.Select(c => c.Cui), workload.Relations.Where(r => !EvidenceDefaults.ExcludedRelas.Contains(r.Rela)), cancellationToken);
        load.Stop();
        try
        {
            // Embedded: the stage's search settings, and the settings Neo4j's shortestPath has (no sibling rule, no
            // budget), each pair on this thread; repeated until 0.5 s so the per-pair time is not a clock tick.
            var stage = new BidirectionalPathSearch(graph, new SearchSettings());
            var exact = new BidirectionalPathSearch(graph, new SearchSettings { RejectSiblingHops = false, MaxExploredNodes = int.MaxValue, MaxHopsPerSide = 20 });
            var stageMs = TimePerPair(stage, pairs);
            var exactMs = TimePerPair(exact, pairs);
            var lengths = pairs.Select(p => exact.Search(p.Start, p.End) is { Outcome: SearchOutcome.Found } r ? r.Paths[0].Length : (int?)null).ToList();

            // Neo4j: the same pairs in order, one HTTP request each, until the pairs or the time budget run out.
            var roundTrip = await RoundTripMsAsync(client, cancellationToken);
            var times = new List<double>();
            int agree = 0, disagree = 0, found = 0;
            var clock = Stopwatch.StartNew();
            for (var i = 0; i < pairs.Count && clock.Elapsed < budget; i++)
            {
                var sw = Stopwatch.StartNew();
                var length = await Neo4jTestGraph.ShortestPathAsync(client, prefix, graph.Cuis[pairs[i].Start], graph.Cuis[pairs[i].End], cancellationToken);
                times.Add(sw.Elapsed.TotalMilliseconds);
                found += length is null ? 0 : 1;
                if (length == lengths[i])
                {
                    agree++;
                }
                else
                {
                    disagree++;
                }
            }

            times.Sort();
            var median = times.Count > 0 ? times[times.Count / 2] : double.NaN;
            var mean = times.Count > 0 ? times.Average() : double.NaN;
            var p95 = times.Count > 0 ? times[Math.Min(times.Count - 1, (int)(times.Count * 0.95))] : double.NaN;
            return string.Create(CultureInfo.InvariantCulture, $"""
                Neo4j shortestPath vs embedded search, the same {times.Count} of {pairs.Count} pairs the x1 stage searched (random subset, seed 11; graph loaded into Neo4j in {load.Elapsed.TotalSeconds:F1} s; load average {MachineLoad.LoadAverages()}):

                | engine | per pair (mean) | per pair (median) | per pair (p95) | paths found |
                |---|---:|---:|---:|---:|
                | embedded, stage settings (sibling rule, 2000-node budget), thread CPU | {stageMs.Cpu * 1000:F1} µs | | | |
                | embedded, stage settings, wall | {stageMs.Wall * 1000:F1} µs | | | |
                | embedded, as shortestPath (no sibling rule, no budget), thread CPU | {exactMs.Cpu * 1000:F1} µs | | | {lengths.Count(l => l is not null)} |
                | Neo4j 3.1 shortestPath over HTTP (Cypher 2.3 planner), wall | {mean:F2} ms | {median:F2} ms | {p95:F2} ms | {found} |
                | HTTP round trip of `RETURN 1` (median of 50), wall | | {roundTrip:F2} ms | | |

                Ratio Neo4j / embedded per pair (mean wall vs stage-settings wall): {mean / stageMs.Wall:N0}×; without the HTTP round trip: {(mean - roundTrip) / stageMs.Wall:N0}×. Path lengths equal on {agree} of {agree + disagree} pairs.
                """);
        }
        finally
        {
            await Neo4jTestGraph.DeleteAsync(client, prefix, cancellationToken);
        }
    }

    /// <summary>Milliseconds per pair (thread CPU and wall) of searching every pair, repeated until 0.5 s of wall.</summary>
    private static (double Cpu, double Wall) TimePerPair(BidirectionalPathSearch search, List<(int Start, int End)> pairs)
    {
        var done = 0;
        var cpu0 = ThreadCpuClock.Milliseconds();
        var sw = Stopwatch.StartNew();
        do
        {
            foreach (var (a, b) in pairs)
            {
                search.Search(a, b);
            }

            done += pairs.Count;
        }
        while (sw.ElapsedMilliseconds < 500);
        return ((ThreadCpuClock.Milliseconds() - cpu0) / done, sw.Elapsed.TotalMilliseconds / done);
    }

    private static async Task<double> RoundTripMsAsync(CypherHttpClient client, CancellationToken cancellationToken)
    {
        var times = new List<double>();
        for (var i = 0; i < 50; i++)
        {
            var sw = Stopwatch.StartNew();
            await client.RunAsync([new CypherStatement("RETURN 1 AS one", new Dictionary<string, object?>())], cancellationToken);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        times.Sort();
        return times[times.Count / 2];
    }
}
