using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Trajectories.Store;
using EhrR1.Graph.Umls.Matching;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>chain</c>: the concept-to-evidence stages on a finished demo run folder (<c>ehr-graph run --out runs/demo</c>):
/// concept extraction (events/s), co-occurrence counting on the training subjects at 1× and at N× (patients and
/// samples replicated with shifted subject ids), the embedded graph's load time, and evidence search on the demo
/// graph on one thread. Wall and CPU seconds. Args: [--run DIR] (default runs/demo) [--scale N] (default 20)
/// [--threads N] (default: processor count, for extraction and counting).
/// </summary>
internal sealed class ChainBenchmark : IBenchmark
{
    private const long Shift = 1_000_000_000L;

    public string Name => "chain";

    public string Description => "concepts extract events/s, cooccur at 1x and Nx, graph.bin load, evidence samples/s (1 thread) on a demo run folder";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var run = Path.GetFullPath(BenchmarkArgs.Get(args, "--run") ?? Path.Combine("runs", "demo"));
        var scale = int.Parse(BenchmarkArgs.Get(args, "--scale") ?? "20", CultureInfo.InvariantCulture);
        var threads = int.Parse(BenchmarkArgs.Get(args, "--threads") ?? Environment.ProcessorCount.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        string R(params string[] parts) => Path.Combine([run, .. parts]);
        if (!File.Exists(R("graph", "graph.bin")) || !File.Exists(R("evidence", "samples.jsonl")))
        {
            Console.Error.WriteLine($"{run} is not a finished run folder (graph/graph.bin, evidence/samples.jsonl). Run `ehr-graph run --out {run}` first.");
            return 1;
        }

        Console.WriteLine($"# chain benchmark ({Environment.ProcessorCount} cores, {threads} threads, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {MachineLoad.LoadAverages()})");
        Console.WriteLine("| measure | size | wall s | CPU s | rate |");
        Console.WriteLine("|---|---|---:|---:|---|");

        using var tmp = new TempDir();
        using (var store = TrajectoryStore.Open(R("store")))
        using (var umls = UmlsIndex.Open(R("vocab", "index")))
        {
            var settings = new MatcherSettings();
            using var resolver = new UmlsResolver(umls, settings with { AcceptedSemanticTypes = null });
            var stage = new ConceptExtractionStage(new ConceptExtractor(new UmlsMatcher(umls, settings), resolver));
            var (report, wall, cpu) = Measure(() => stage.Run(store, new ConceptExtractionSettings { OutputDirectory = tmp.Combine("concepts"), Parallelism = threads }, null, cancellationToken));
            var events = report.Counts["events"];
            Line("concepts extract (cold resolver cache)", $"{report.Counts["patients"]:N0} patients, {events:N0} events", wall, cpu, $"{events / wall:N0} events/s, {events / cpu:N0} events per CPU-s");
        }

        var train = File.ReadLines(R("tasks", "train-subjects.txt")).Select(l => long.Parse(l, CultureInfo.InvariantCulture)).ToHashSet();
        foreach (var n in new[] { 1, scale })
        {
            var counter = new CooccurrenceCounter(new CooccurrenceSettings { Parallelism = threads });
            var samples = Replicate(TaskIndexFiles.Read(R("tasks", "index"), CooccurrenceTasks.Includes, train.Contains, cancellationToken).ToList(), n);
            var patients = new ReplicatedPatients(R("concepts"), n);
            var (table, wall, cpu) = Measure(() => counter.Count(samples, patients, cancellationToken));
            var count = table.Tasks.Sum(t => table[t]!.Samples);
            Line($"graph cooccur {n}x", $"{count:N0} samples, {table.PairsCounted:N0} pairs counted, {table.Tasks.Sum(t => table[t]!.Pairs.Count):N0} kept", wall, cpu, $"{count / wall:N0} samples/s");
        }

        KnowledgeGraphFile.Load(R("graph", "graph.bin")); // warm-up (JIT, page cache)
        var (graph, loadWall, loadCpu) = Measure(() => KnowledgeGraphFile.Load(R("graph", "graph.bin")));
        Line("graph.bin load", $"{graph.ConceptCount:N0} concepts, {graph.UmlsRelationCount:N0} UMLS_REL, {graph.CooccurrenceCount:N0} CO_OCCURS, {new FileInfo(R("graph", "graph.bin")).Length / 1e6:F1} MB", loadWall, loadCpu, string.Empty);

        foreach (var cache in new[] { false, true })
        {
            var settings = new EvidenceSettings
            {
                SamplesPath = R("evidence", "samples.jsonl"),
                OutputPath = tmp.Combine($"evidence-{cache}.jsonl"),
                DegreeOfParallelism = 1,
                PairCacheCapacity = cache ? 1_000_000 : 0,
            };
            var (builder, _, _) = await EvidenceStageFactory.LoadAsync(settings, R("graph"), R("graph", "cooccur"), null, GraphKind.Both, EvidenceDefaults.ExcludedRelas, cancellationToken);
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var summary = await new EvidenceSearchStage(builder, NullLogger.Instance).RunAsync(null, cancellationToken);
            sw.Stop();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var graphs = summary.ByStatus.GetValueOrDefault(EvidenceStatus.Graph);
            Line($"evidence search, 1 thread, pair cache {(cache ? "on" : "off")}", $"{summary.Written:N0} samples ({graphs:N0} with a graph)", sw.Elapsed.TotalSeconds, cpu, $"{summary.Written / sw.Elapsed.TotalSeconds:N0} samples/s");
        }

        return 0;
    }

    private static (T Result, double Wall, double Cpu) Measure<T>(Func<T> work)
    {
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        var result = work();
        sw.Stop();
        return (result, sw.Elapsed.TotalSeconds, (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds);
    }

    private static void Line(string measure, string size, double wall, double cpu, string rate) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {measure} | {size} | {wall:F2} | {cpu:F2} | {rate} |"));

    private static List<TaskIndexRow> Replicate(List<TaskIndexRow> rows, int n) =>
        [.. Enumerable.Range(0, n).SelectMany(k => rows.Select(r => r with { SubjectId = r.SubjectId + (k * Shift), SampleId = r.SampleId + "#" + k.ToString(CultureInfo.InvariantCulture) }))];

    /// <summary>The concepts file <c>n</c> times over, copy k with subject id + k × 10^9, read lazily each time.</summary>
    private sealed class ReplicatedPatients(string conceptsDir, int n) : IEnumerable<PatientConcepts>
    {
        public IEnumerator<PatientConcepts> GetEnumerator()
        {
            for (var k = 0; k < n; k++)
            {
                foreach (var p in ConceptFiles.ReadPatients(conceptsDir))
                {
                    yield return p with { SubjectId = p.SubjectId + (k * Shift) };
                }
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed class TempDir : IDisposable
    {
        public string Path { get; } = Directory.CreateTempSubdirectory("ehrr1-chain-bench-").FullName;

        public string Combine(string name) => System.IO.Path.Combine(Path, name);

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
