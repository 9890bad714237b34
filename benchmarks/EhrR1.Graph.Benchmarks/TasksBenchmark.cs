using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Core;
using EhrR1.Graph.Tasks.Export;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Sampling;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Model;
using EhrR1.Graph.Trajectories.Rendering;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>tasks [--store DIR] [--scale 20]</c>: indexes the MIMIC-IV demo store, then a store scaled by replicating every
/// trajectory with shifted subject ids (cost per event should stay flat), then samples and exports EHR-Bench records.
/// Reports wall time and process CPU time (the build machines are shared, so wall time is noisy).
/// </summary>
internal sealed class TasksBenchmark : IBenchmark
{
    public string Name => "tasks";

    public string Description => "task index on the demo and at 20x, sample, EHR-Bench export rate";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var storeArg = BenchmarkArgs.Get(args, "--store");
        var scale = int.Parse(BenchmarkArgs.Get(args, "--scale") ?? "20", CultureInfo.InvariantCulture);
        var work = Path.Combine(Path.GetTempPath(), "ehrr1-bench-tasks-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        try
        {
            var storePath = storeArg ?? await BuildDemoStoreAsync(Path.Combine(work, "store"), cancellationToken);
            using var store = TrajectoryStore.Open(storePath);
            Console.WriteLine($"- machine: {Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd}, store {store.SubjectIds.Count} patients");

            var (index1, r1) = await MeasureAsync(() => new TaskIndexBuilder().RunAsync(store, new TaskIndexSettings { StorePath = storePath, OutputDirectory = Path.Combine(work, "index1") }, null, cancellationToken));
            Report("index 1x", r1, index1.Counts["events"], index1.Counts["instances"]);

            using var scaled = new ReplicatedStore(store, scale);
            var sampledIndex = Path.Combine(work, scale > 1 ? "indexN" : "index1");
            if (scale > 1)
            {
                var (indexN, rN) = await MeasureAsync(() => new TaskIndexBuilder().RunAsync(scaled, new TaskIndexSettings { StorePath = storePath, OutputDirectory = Path.Combine(work, "indexN") }, null, cancellationToken));
                Report($"index {scale}x", rN, indexN.Counts["events"], indexN.Counts["instances"]);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- cost per event {scale}x / 1x: wall {rN.Wall / indexN.Counts["events"] / (r1.Wall / index1.Counts["events"]):F2}, cpu {rN.Cpu / indexN.Counts["events"] / (r1.Cpu / index1.Counts["events"]):F2}"));
            }

            var caps = Path.Combine(work, "caps.json");
            var capsSource = Path.Combine(AppContext.BaseDirectory, "ehr_bench.json");
            File.Copy(File.Exists(capsSource) ? capsSource : throw new FileNotFoundException("ehr_bench.json not copied next to the benchmark"), caps);
            foreach (var (label, index, source) in scale > 1
                ? new[] { ("1x", Path.Combine(work, "index1"), (ITrajectoryStore)store), ($"{scale}x", sampledIndex, scaled) }
                : [("1x", Path.Combine(work, "index1"), (ITrajectoryStore)store)])
            {
                var samples = Path.Combine(work, "samples-" + label + ".jsonl");
                var (sampled, rs) = await MeasureAsync(() => new TaskSampler().RunAsync(new SampleSettings { IndexDirectory = index, ConfigPath = caps, OutputFile = samples }, null, cancellationToken));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- sample ({label} index, ehr_bench.json caps): {sampled.Counts["samples"]:N0} samples in {rs.Wall:F2} s wall, {rs.Cpu:F2} s cpu"));

                var exporter = new SampleExporter();
                var bench = Path.Combine(work, "bench-" + label + ".jsonl");
                var (exported, re) = await MeasureAsync(() => exporter.RunAsync(source, EventRenderer.Render, new ExportSettings { SamplesFile = samples, StorePath = storePath, Format = ExportFormat.EhrBench, OutputFile = bench }, null, cancellationToken));
                var n = exported.Counts["samples"];
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"- export ehr-bench ({label} samples): {n:N0} samples in {re.Wall:F2} s wall ({n / re.Wall:N0}/s), {re.Cpu:F2} s cpu ({n / re.Cpu:N0}/s cpu), {new FileInfo(bench).Length / 1e6:F1} MB, load average {MachineLoad.LoadAverage()}"));
                Console.WriteLine("  - phases (wall): " + exporter.Timings);
            }

            return 0;
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    private static void Report(string name, (double Wall, double Cpu) r, long events, long instances) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- {name}: {events:N0} events, {instances:N0} instances in {r.Wall:F2} s wall, {r.Cpu:F2} s cpu ({events / r.Cpu:N0} events/s cpu, {r.Cpu / events * 1e6:F2} µs cpu/event)"));

    private static async Task<(T Result, (double Wall, double Cpu) Time)> MeasureAsync<T>(Func<Task<T>> run)
    {
        GC.Collect();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var result = await run();
        var wall = clock.Elapsed.TotalSeconds;
        var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
        return (result, (wall, cpu));
    }

    private static async Task<string> BuildDemoStoreAsync(string output, CancellationToken cancellationToken)
    {
        var demo = DataLocations.FindMimicDemo() ?? throw new InvalidOperationException("MIMIC-IV demo not found: set EHRR1_DATA or pass --store");
        var extra = new Dictionary<string, string>(StringComparer.Ordinal);
        if (DataLocations.FindDataset("mimic-iv-demo-2.2-chartevents-subset") is { } chart)
        {
            extra["icu/chartevents"] = Path.Combine(chart, "chartevents.csv.gz");
        }

        await new IngestStage(NullLogger.Instance).RunAsync(new IngestSettings(demo, output) { ExtraTables = extra }, null, cancellationToken);
        return output;
    }

    /// <summary>The store's patients <c>scale</c> times over, copy k with subject id + k × 10^9 (read from the store each time).</summary>
    private sealed class ReplicatedStore(ITrajectoryStore inner, int scale) : ITrajectoryStore
    {
        private const long Shift = 1_000_000_000L;

        public IReadOnlyList<long> SubjectIds { get; } =
            [.. Enumerable.Range(0, scale).SelectMany(k => inner.SubjectIds.Select(s => s + (k * Shift)))];

        public bool TryRead(long subjectId, out PatientTrajectory trajectory)
        {
            var original = subjectId % Shift;
            if (inner.TryRead(original, out var t))
            {
                trajectory = t with { SubjectId = subjectId };
                return true;
            }

            trajectory = null!;
            return false;
        }

        public IEnumerable<PatientTrajectory> ReadAll(CancellationToken cancellationToken = default)
        {
            foreach (var id in SubjectIds)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (TryRead(id, out var t))
                {
                    yield return t;
                }
            }
        }

        public void Dispose()
        {
        }
    }
}
