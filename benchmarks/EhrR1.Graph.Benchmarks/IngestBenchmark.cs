using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using EhrR1.Graph.Core;
using EhrR1.Graph.Trajectories.Csv;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Rendering;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>ingest [--scales 1,20,100] [--work DIR]</c>: scales the MIMIC-IV demo N× (ids shifted by k·10^8 per copy),
/// ingests each scale in a child process (end-to-end rows/s, peak RSS from /proc VmHWM), then measures random
/// access latency to one patient and rendering throughput on the largest store.
/// </summary>
internal sealed class IngestBenchmark : IBenchmark
{
    private const long Shift = 100_000_000;

    private static readonly HashSet<string> ShiftedColumns = new(StringComparer.Ordinal) { "subject_id", "hadm_id", "stay_id" };

    public string Name => "ingest";

    public string Description => "MIMIC-IV ingestion at 1x/20x/100x the demo: rows/s, peak RSS, random access, rendering";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        if (args.Length > 0 && args[0] == "--child")
        {
            return await ChildAsync(args[1], args[2], cancellationToken);
        }

        var scales = BenchmarkArgs.Get(args, "--scales", "1,20,100").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        var work = Path.GetFullPath(BenchmarkArgs.Get(args, "--work", Path.Combine(Path.GetTempPath(), "ehrr1-ingest-bench")));
        var demo = DataLocations.FindMimicDemo() ?? throw new InvalidOperationException("MIMIC-IV demo not found (set EHRR1_DATA).");
        var chart = DataLocations.FindDataset("mimic-iv-demo-2.2-chartevents-subset");
        Directory.CreateDirectory(work);
        Console.WriteLine($"# ingest benchmark ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd})");
        Console.WriteLine();
        Console.WriteLine("| scale | input rows | input gz MiB | elapsed s | CPU s | rows/s | peak RSS MiB | store MiB | load avg |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        string? lastStore = null;
        var phases = new List<string>();
        foreach (var n in scales)
        {
            var input = Path.Combine(work, $"mimic-x{n}");
            if (!Directory.Exists(input))
            {
                Generate(demo, chart, input, n, cancellationToken);
            }

            var store = Path.Combine(work, $"store-x{n}");
            if (Directory.Exists(store))
            {
                Directory.Delete(store, recursive: true);
            }

            var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add(typeof(IngestBenchmark).Assembly.Location);
            foreach (var a in new[] { "ingest", "--child", input, store })
            {
                psi.ArgumentList.Add(a);
            }

            using var p = Process.Start(psi)!;
            var stdout = await p.StandardOutput.ReadToEndAsync(cancellationToken);
            var stderr = await p.StandardError.ReadToEndAsync(cancellationToken);
            await p.WaitForExitAsync(cancellationToken);
            if (p.ExitCode != 0)
            {
                Console.Error.WriteLine(stderr);
                return p.ExitCode;
            }

            var f = stdout.Trim().Split(' ');
            var rows = long.Parse(f[0], CultureInfo.InvariantCulture);
            var secs = double.Parse(f[1], CultureInfo.InvariantCulture);
            var hwmKb = long.Parse(f[2], CultureInfo.InvariantCulture);
            var cpu = double.Parse(f[3], CultureInfo.InvariantCulture);
            var gz = Directory.EnumerateFiles(input, "*", SearchOption.AllDirectories).Sum(x => new FileInfo(x).Length);
            var storeBytes = Directory.EnumerateFiles(store).Sum(x => new FileInfo(x).Length);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {n}x | {rows:N0} | {gz / 1048576.0:F0} | {secs:F1} | {cpu:F1} | {rows / secs:N0} | {hwmKb / 1024.0:F0} | {storeBytes / 1048576.0:F1} | {MachineLoad.LoadAverage()} |"));
            phases.Add(string.Create(CultureInfo.InvariantCulture, $"- {n}x phases: read + spill {f[4]} s wall / {f[7]} s CPU, merge + compress + write {f[5]} s wall / {f[8]} s CPU (the merge waited {f[6]} s for compression)"));
            lastStore = store;
        }

        Console.WriteLine();
        phases.ForEach(Console.WriteLine);

        if (lastStore is not null)
        {
            MeasureReads(lastStore, cancellationToken);
        }

        return 0;
    }

    private static async Task<int> ChildAsync(string input, string store, CancellationToken ct)
    {
        var settings = new IngestSettings(input, store) { Force = true };
        var sw = Stopwatch.StartNew();
        var result = await new IngestStage(NullLogger.Instance).RunAsync(settings, null, ct);
        var secs = sw.Elapsed.TotalSeconds;
        var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var kb = hwm.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var cpu = Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{result.Counts["rows"]} {secs:F3} {kb} {cpu:F2} {result.PhaseSeconds["spill"]:F1} {result.PhaseSeconds["merge"]:F1} {result.PhaseSeconds["merge_wait"]:F1} {result.PhaseSeconds["spill_cpu"]:F1} {result.PhaseSeconds["merge_cpu"]:F1}"));
        return 0;
    }

    private static void MeasureReads(string storePath, CancellationToken ct)
    {
        using var store = TrajectoryStore.Open(storePath);
        var rng = new Random(42);
        var ids = store.SubjectIds;
        for (var i = 0; i < 50; i++)
        {
            ReadWhole(store, ids[rng.Next(ids.Count)]);
        }

        // Whole patient: every event decoded (every block of the patient).
        var whole = new List<double>();
        var wholeCpu = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var id = ids[rng.Next(ids.Count)];
            var c0 = ThreadCpuClock.Milliseconds();
            var t0 = Stopwatch.GetTimestamp();
            ReadWhole(store, id);
            whole.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            wholeCpu.Add(ThreadCpuClock.Milliseconds() - c0);
        }

        // Time to the first event (demographics): one block.
        var first = new List<double>();
        for (var i = 0; i < 2000; i++)
        {
            var id = ids[rng.Next(ids.Count)];
            var t0 = Stopwatch.GetTimestamp();
            store.TryRead(id, out var t);
            _ = t.Events[0];
            first.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
        }

        // A sample's window, as tasks export reads it: the demographics event and up to 100 consecutive events.
        var window = new List<double>();
        var windowCpu = new List<double>();
        var blocks0 = store.BlockReads;
        for (var i = 0; i < 2000; i++)
        {
            var id = ids[rng.Next(ids.Count)];
            var n = store.EventCountOf(id);
            var w = Math.Min(n, 100);
            var from = rng.Next(n - w + 1);
            var c0 = ThreadCpuClock.Milliseconds();
            var t0 = Stopwatch.GetTimestamp();
            store.TryRead(id, out var t);
            _ = t.Events[0];
            for (var k = from; k < from + w; k++)
            {
                _ = t.Events[k];
            }

            window.Add(Stopwatch.GetElapsedTime(t0).TotalMilliseconds);
            windowCpu.Add(ThreadCpuClock.Milliseconds() - c0);
        }

        Console.WriteLine();
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- store: {ids.Count:N0} patients, {store.BlockCount:N0} blocks"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- random access, whole patient: wall {Percentiles(whole)}; thread CPU {Percentiles(wholeCpu)} (load average {MachineLoad.LoadAverage()})"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- random access, window (event 0 + up to 100 events): wall {Percentiles(window)}; thread CPU {Percentiles(windowCpu)}; {(store.BlockReads - blocks0) / 2000.0:F1} blocks decoded per read"));

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- random access, time to first event (event 0): wall {Percentiles(first)}"));
        ReportShapes(store);

        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var sw = Stopwatch.StartNew();
        long events = 0, rows = 0;
        foreach (var t in store.ReadAll(ct))
        {
            events += t.Events.Count;
            rows += t.Events.Sum(e => e.Items.Count);
        }

        var decode = sw.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- stream all patients: {events:N0} events, {rows:N0} rows in {decode:F1} s wall, {(Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds:F1} s CPU ({rows / decode:N0} rows/s decoded)"));

        var sb = new StringBuilder(1 << 20);
        long rendered = 0;
        sw.Restart();
        foreach (var t in store.ReadAll(ct).Take(Math.Min(ids.Count, 300)))
        {
            foreach (var e in t.Events)
            {
                sb.Clear();
                EventRenderer.Render(e, sb);
                rendered++;
            }
        }

        var renderSecs = sw.Elapsed.TotalSeconds;
        sw.Restart();
        long decodedOnly = 0;
        foreach (var t in store.ReadAll(ct).Take(Math.Min(ids.Count, 300)))
        {
            decodedOnly += t.Events.Count;
        }

        var pureRender = Math.Max(1e-9, renderSecs - sw.Elapsed.TotalSeconds);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- rendering: {rendered:N0} events in {renderSecs:F2} s including decode ({rendered / renderSecs:N0} events/s), {rendered / pureRender:N0} events/s render only"));
    }

    /// <summary>Distribution of patient sizes, and whole-read time and decode rate of the largest patients.</summary>
    private static void ReportShapes(TrajectoryStore store)
    {
        var shapes = store.SubjectIds.Select(id => (Id: id, Shape: store.ShapeOf(id)!.Value)).OrderBy(x => x.Shape.RawBytes).ToList();
        string Raw(int k) => (shapes[k].Shape.RawBytes / 1048576.0).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- patient raw size (decoded block bytes): p50 {Raw(shapes.Count / 2)} MiB, p90 {Raw((int)(shapes.Count * 0.9))} MiB, p99 {Raw((int)(shapes.Count * 0.99))} MiB, max {Raw(shapes.Count - 1)} MiB"));
        foreach (var (id, shape) in shapes.AsEnumerable().Reverse().DistinctBy(x => x.Shape).Take(5))
        {
            var best = double.MaxValue;
            for (var r = 0; r < 3; r++)
            {
                var c0 = ThreadCpuClock.Milliseconds();
                ReadWhole(store, id);
                best = Math.Min(best, ThreadCpuClock.Milliseconds() - c0);
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  - {shape.Events:N0} events, {shape.Blocks} blocks, {shape.RawBytes / 1048576.0:F2} MiB raw: whole read {best:F1} ms thread CPU ({shape.RawBytes / 1048576.0 / (best / 1000):F0} MiB/s decoded into events)"));
        }
    }

    private static void ReadWhole(TrajectoryStore store, long id)
    {
        store.TryRead(id, out var t);
        foreach (var e in t.Events)
        {
            _ = e.Items.Count;
        }
    }

    private static string Percentiles(List<double> lat)
    {
        lat.Sort();
        return string.Create(CultureInfo.InvariantCulture, $"p50 {lat[lat.Count / 2]:F2} ms, p99 {lat[(int)(lat.Count * 0.99)]:F2} ms, max {lat[^1]:F2} ms");
    }

    /// <summary>Writes N shifted copies of every demo table (dictionaries once) as gzip CSV.</summary>
    private static void Generate(string demo, string? chart, string output, int n, CancellationToken ct)
    {
        var sw = Stopwatch.StartNew();
        var staging = output + ".tmp";
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        foreach (var module in new[] { "hosp", "icu" })
        {
            Directory.CreateDirectory(Path.Combine(staging, module));
            foreach (var file in Directory.EnumerateFiles(Path.Combine(demo, module), "*.csv.gz"))
            {
                var table = Path.GetFileName(file)[..^7];
                var dest = Path.Combine(staging, module, Path.GetFileName(file));
                if (TableCatalog.Find(module, table) is null)
                {
                    if (table.StartsWith("d_", StringComparison.Ordinal))
                    {
                        File.Copy(file, dest);
                    }

                    continue;
                }

                Scale(file, dest, n, ct);
            }
        }

        if (chart is not null)
        {
            Scale(Path.Combine(chart, "chartevents.csv.gz"), Path.Combine(staging, "icu", "chartevents.csv.gz"), n, ct);
        }

        Directory.Move(staging, output);
        Console.Error.WriteLine($"generated {n}x in {sw.Elapsed.TotalSeconds:F0} s");
    }

    private static void Scale(string source, string dest, int n, CancellationToken ct)
    {
        // Decode once into memory as shifted-column templates, then write n copies.
        var rows = new List<string?[]>();
        string[] header;
        using (var r = MimicCsvReader.Open(source))
        {
            header = [.. r.Header];
            while (r.Read())
            {
                var row = new string?[header.Length];
                for (var i = 0; i < row.Length; i++)
                {
                    row[i] = r.GetString(i);
                }

                rows.Add(row);
            }
        }

        var shifted = header.Select(h => ShiftedColumns.Contains(h)).ToArray();
        using var fs = File.Create(dest);
        using var gz = new GZipStream(fs, CompressionLevel.Fastest);
        using var w = new StreamWriter(gz, new UTF8Encoding(false), 1 << 16);
        w.Write(string.Join(',', header));
        w.Write('\n');
        for (var k = 0; k < n; k++)
        {
            ct.ThrowIfCancellationRequested();
            foreach (var row in rows)
            {
                for (var i = 0; i < row.Length; i++)
                {
                    if (i > 0)
                    {
                        w.Write(',');
                    }

                    var v = row[i];
                    if (v is null)
                    {
                        continue;
                    }

                    if (shifted[i] && k > 0 && long.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out var id))
                    {
                        w.Write((id + (k * Shift)).ToString(CultureInfo.InvariantCulture));
                    }
                    else if (v.AsSpan().IndexOfAny(",\"\n\r") >= 0)
                    {
                        w.Write('"');
                        w.Write(v.Replace("\"", "\"\"", StringComparison.Ordinal));
                        w.Write('"');
                    }
                    else
                    {
                        w.Write(v);
                    }
                }

                w.Write('\n');
            }
        }
    }
}
