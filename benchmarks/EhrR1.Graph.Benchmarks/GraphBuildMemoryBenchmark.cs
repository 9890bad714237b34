using System.Diagnostics;
using System.Globalization;
using System.Text;
using EhrR1.Graph.Knowledge.Graph;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>graph-build [--relations 3000000] [--concepts 300000] [--seed 3]</c>: peak memory of <c>graph build</c> from a
/// synthetic UMLS release (MRCONSO with one name per concept, MRSTY, and an MRREL of the given number of rows with
/// UMLS-like REL/RELA/SAB values, written to a temporary folder, deleted afterwards). Prints the process's peak
/// resident set (Linux VmHWM) before and after the build, the managed heap, and bytes per MRREL row.
/// </summary>
internal sealed class GraphBuildMemoryBenchmark : IBenchmark
{
    private static readonly (string Rel, string Rela)[] Relations =
    [
        ("PAR", "inverse_isa"), ("CHD", "isa"), ("RO", "may_treat"), ("RO", "may_be_treated_by"), ("RO", "has_finding_site"),
        ("RO", "finding_site_of"), ("RB", ""), ("RN", ""), ("SY", ""), ("RO", "has_ingredient"), ("RO", "ingredient_of"),
        ("RQ", "classified_as"), ("RO", "mapped_to"), ("RO", "mapped_from"),
    ];

    private static readonly string[] Sources = ["SNOMEDCT_US", "MSH", "RXNORM", "NCI", "MEDDRA", "LNC", "ICD10CM", "MTH"];

    public string Name => "graph-build";

    public string Description => "peak memory (RSS) of graph build from a synthetic MRREL of millions of rows";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var relations = BenchmarkArgs.Get(args, "--relations", 3_000_000);
        var concepts = BenchmarkArgs.Get(args, "--concepts", 300_000);
        var seed = BenchmarkArgs.Get(args, "--seed", 3);
        var dir = Path.Combine(Path.GetTempPath(), "ehrr1-graph-build-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var rrf = Path.Combine(dir, "rrf");
        Directory.CreateDirectory(rrf);
        try
        {
            var written = WriteRelease(rrf, concepts, relations, seed);
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            var hwmBefore = Status("VmHWM");
            var rssBefore = Status("VmRSS");
            var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
            var sw = Stopwatch.StartNew();
            var report = new GraphBuilder(NullLogger.Instance).Run(new GraphBuildSettings { RrfDirectory = rrf, OutputDirectory = Path.Combine(dir, "graph"), Force = true }, null, cancellationToken);
            sw.Stop();
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpu0).TotalSeconds;
            var hwmAfter = Status("VmHWM");
            var graphBytes = new FileInfo(Path.Combine(dir, "graph", KnowledgeGraphFile.FileName)).Length;
            Console.WriteLine($"## graph build memory ({DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, .NET {Environment.Version}, load average {MachineLoad.LoadAverages()})");
            Console.WriteLine();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
                | measure | value |
                |---|---:|
                | MRREL rows (file) | {relations:N0} ({written / 1e6:F0} MB) |
                | concepts | {report.Counts["concepts"]:N0} |
                | UMLS_REL kept | {report.Counts["umls_rel"]:N0} |
                | graph.bin | {graphBytes / 1e6:F1} MB |
                | wall / CPU | {sw.Elapsed.TotalSeconds:F1} s / {cpu:F1} s |
                | RSS before the build | {rssBefore / 1024.0:F0} MiB (peak so far {hwmBefore / 1024.0:F0} MiB) |
                | peak RSS after the build | {hwmAfter / 1024.0:F0} MiB |
                | peak RSS growth per MRREL row | {(hwmAfter - rssBefore) * 1024.0 / relations:F0} bytes |
                """));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return Task.FromResult(0);
    }

    /// <summary>Writes MRCONSO, MRSTY and MRREL (streamed; nothing is kept); returns the MRREL size in bytes.</summary>
    private static long WriteRelease(string rrf, int concepts, int relations, int seed)
    {
        var rng = new Random(seed);
        static string Cui(int i) => "C" + i.ToString("D7", CultureInfo.InvariantCulture);
        using (var conso = new StreamWriter(Path.Combine(rrf, "MRCONSO.RRF"), false, new UTF8Encoding(false), 1 << 16))
        using (var sty = new StreamWriter(Path.Combine(rrf, "MRSTY.RRF"), false, new UTF8Encoding(false), 1 << 16))
        {
            for (var i = 0; i < concepts; i++)
            {
                var cui = Cui(i);
                conso.Write(string.Create(CultureInfo.InvariantCulture, $"{cui}|ENG|P|L{i}|PF|S{i}|Y|A{i}||||MTH|PT|{i}|synthetic concept {i}|0|N||\n"));
                sty.Write(string.Create(CultureInfo.InvariantCulture, $"{cui}|T047|B2.2.1.2.1|Disease or Syndrome|AT{i}||\n"));
            }
        }

        var path = Path.Combine(rrf, "MRREL.RRF");
        using (var rel = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
        {
            for (var r = 0; r < relations; r++)
            {
                // hub-heavy first end, uniform second end, like UMLS's skewed degrees
                var a = (int)(concepts * Math.Pow(rng.NextDouble(), 3));
                var b = rng.Next(concepts);
                var (relName, rela) = Relations[rng.Next(Relations.Length)];
                var sab = Sources[rng.Next(Sources.Length)];
                rel.Write(string.Create(CultureInfo.InvariantCulture, $"{Cui(a)}|A{a}|SCUI|{relName}|{Cui(b)}|A{b}|SCUI|{rela}|R{r}||{sab}|{sab}|||N||\n"));
            }
        }

        return new FileInfo(path).Length;
    }

    /// <summary>A kB field of /proc/self/status (VmHWM = peak resident set, VmRSS = current), or 0 off Linux.</summary>
    private static long Status(string field)
    {
        if (!File.Exists("/proc/self/status"))
        {
            return 0;
        }

        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith(field + ":", StringComparison.Ordinal))
            {
                return long.Parse(line[(field.Length + 1)..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
