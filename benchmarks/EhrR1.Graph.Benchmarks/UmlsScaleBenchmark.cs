using System.Diagnostics;
using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Umls.Indexing;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>umls-scale --names N [--work DIR] [--keep] [--seed S]</c>: writes a synthetic UMLS release of N English names
/// (MRCONSO.RRF sorted by CUI, about five atoms per concept, and MRSTY.RRF with one or two semantic types per concept),
/// then runs <c>build-index</c> on it with the default settings and prints the build time, CPU time, peak resident
/// memory and the rate extrapolated to the full UMLS (17M English names). Run once per size (peak memory is per
/// process) to show that memory stays flat as the input grows. No licensed data is needed or committed: the strings
/// are made of generated medical-looking words with a Zipf-like word frequency, 1–60 words long, so that the string
/// length and n-gram statistics resemble MRCONSO's (mean about 35 characters; 1 % are long names over 160 characters).
/// </summary>
internal sealed class UmlsScaleBenchmark : IBenchmark
{
    private static readonly string[] Syllables =
    [
        "car", "dio", "my", "o", "path", "neph", "ro", "hep", "at", "itis", "osis", "emia", "al", "gia", "ec", "to", "pneu",
        "mo", "nia", "gastr", "ic", "derm", "lymph", "oma", "cyt", "leuk", "thromb", "vas", "cul", "ar", "neu", "rol", "og",
        "ine", "ase", "ol", "one", "ide", "ate", "pro", "te", "in", "hy", "per", "ten", "sion", "an", "ti", "bi", "ot",
        "ster", "chol", "glu", "co", "se", "kin", "phos", "pha", "sul", "fa", "meth", "yl", "am", "ox", "cil", "lin",
    ];

    private static readonly string[] Common =
    [
        "of", "the", "and", "with", "without", "left", "right", "acute", "chronic", "disorder", "syndrome", "finding",
        "procedure", "mg", "tablet", "oral", "injection", "structure", "entire", "nos", "unspecified", "due", "to", "in",
        "type", "stage", "primary", "secondary", "malignant", "neoplasm", "of", "measurement", "serum", "level", "ml",
    ];

    private static readonly string[] Sabs = ["SNOMEDCT_US", "MSH", "NCI", "MDR", "LNC", "RXNORM", "ICD10CM", "MEDCIN", "CHV", "SCTSPA"];

    private static readonly string[] Tuis =
    [
        "T047", "T191", "T046", "T184", "T033", "T121", "T109", "T200", "T061", "T059", "T060", "T023", "T029", "T037",
        "T048", "T019", "T020", "T190", "T116", "T126", "T129", "T195", "T197", "T201", "T170", "T074", "T073", "T034",
    ];

    public string Name => "umls-scale";

    public string Description => "UMLS build-index on a synthetic release of N names: time, CPU, peak memory, extrapolation to 17M names";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var names = long.Parse(BenchmarkArgs.Get(args, "--names") ?? "2000000", CultureInfo.InvariantCulture);
        var seed = int.Parse(BenchmarkArgs.Get(args, "--seed") ?? "17", CultureInfo.InvariantCulture);
        var work = BenchmarkArgs.Get(args, "--work") ?? Path.Combine(Path.GetTempPath(), "ehrr1-umls-scale-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var rrf = Path.Combine(work, "rrf");
        var indexDir = Path.Combine(work, "index");
        try
        {
            var clock = Stopwatch.StartNew();
            var (atoms, concepts, bytes) = await WriteReleaseAsync(rrf, names, seed, cancellationToken);
            var generateSeconds = clock.Elapsed.TotalSeconds;

            GC.Collect();
            var rssBefore = Process.GetCurrentProcess().PeakWorkingSet64;
            var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
            clock.Restart();
            var lastPrint = Stopwatch.StartNew();
            var progress = new SyncProgress(p =>
            {
                if (lastPrint.Elapsed.TotalSeconds >= 30)
                {
                    lastPrint.Restart();
                    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {clock.Elapsed.TotalSeconds:F0} s: {p.Phase} {p.Done:N0}{(p.Total is { } t ? " / " + t.ToString("N0", CultureInfo.InvariantCulture) : string.Empty)} {p.Unit}, RSS {Environment.WorkingSet / 1048576.0:N0} MiB"));
                }
            });
            var built = await new UmlsIndexBuilder(NullLogger.Instance).BuildAsync(
                new IndexBuildSettings { RrfDirectory = rrf, OutputDirectory = indexDir, Force = true }, progress, cancellationToken);
            var seconds = clock.Elapsed.TotalSeconds;
            var cpu = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;
            var indexBytes = new DirectoryInfo(indexDir).EnumerateFiles("*", SearchOption.AllDirectories).Sum(f => f.Length);

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"UMLS build-index scale benchmark, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, load average {MachineLoad.LoadAverage()}"));
            Console.WriteLine();
            Console.WriteLine("| names | concepts | MRCONSO MiB | generate s | build s (wall) | build CPU s | names/s (wall) | peak RSS MiB (before build) | index MiB | documents | 17M names, extrapolated |");
            Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {atoms:N0} | {concepts:N0} | {bytes / 1048576.0:N0} | {generateSeconds:F0} | {seconds:F0} | {cpu:F0} | {atoms / seconds:N0} | {peak / 1048576.0:N0} ({rssBefore / 1048576.0:N0}) | {indexBytes / 1048576.0:N0} | {built.Counts["documents"]:N0} | {17_000_000 / (atoms / seconds) / 3600:F2} h |"));
            return 0;
        }
        finally
        {
            if (!args.Contains("--keep") && Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>Streams MRCONSO.RRF and MRSTY.RRF (bounded memory); returns atoms, concepts and MRCONSO bytes.</summary>
    private static async Task<(long Atoms, long Concepts, long Bytes)> WriteReleaseAsync(string dir, long names, int seed, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(dir);
        var random = new Random(seed);
        var words = new string[60_000];
        var sb = new StringBuilder();
        for (var i = 0; i < words.Length; i++)
        {
            sb.Clear();
            var parts = 1 + random.Next(4);
            for (var k = 0; k < parts; k++)
            {
                sb.Append(Syllables[random.Next(Syllables.Length)]);
            }

            words[i] = sb.ToString();
        }

        string Word()
        {
            if (random.NextDouble() < 0.25)
            {
                return Common[random.Next(Common.Length)];
            }

            var r = random.NextDouble();
            return words[(int)(words.Length * r * r * r)]; // Zipf-like: low indexes are frequent
        }

        var utf8 = new UTF8Encoding(false);
        await using var conso = new StreamWriter(Path.Combine(dir, "MRCONSO.RRF"), false, utf8, 1 << 20);
        await using var sty = new StreamWriter(Path.Combine(dir, "MRSTY.RRF"), false, utf8, 1 << 16);
        long atoms = 0, concepts = 0;
        var baseName = new List<string>();
        var line = new StringBuilder();
        while (atoms < names)
        {
            cancellationToken.ThrowIfCancellationRequested();
            concepts++;
            var cui = "C" + concepts.ToString("D7", CultureInfo.InvariantCulture);
            var tuiCount = random.NextDouble() < 0.2 ? 2 : 1;
            for (var t = 0; t < tuiCount; t++)
            {
                var tui = Tuis[(t * 7 + random.Next(Tuis.Length)) % Tuis.Length];
                await sty.WriteLineAsync($"{cui}|{tui}|A1.2.3|Type {tui}|AT{concepts * 2 + t}||");
            }

            // A base name, then synonyms: reordered, qualified, upper-cased, or with a word changed.
            baseName.Clear();
            var length = random.NextDouble() < 0.01 ? 20 + random.Next(40) : 1 + (int)Math.Round(Math.Abs(NextGaussian(random) * 2.5) + 1);
            for (var w = 0; w < length; w++)
            {
                baseName.Add(Word());
            }

            var atomsHere = 1 + random.Next(9);
            for (var a = 0; a < atomsHere && atoms < names; a++)
            {
                var str = string.Join(' ', baseName);
                switch (a % 5)
                {
                    case 1:
                        str = str.ToUpperInvariant();
                        break;
                    case 2:
                        str += random.NextDouble() < 0.5 ? ", NOS" : " (disorder)";
                        break;
                    case 3:
                        str = baseName.Count > 1 ? string.Join(' ', baseName.Skip(1).Append(baseName[0])) : str + " " + Word();
                        break;
                    case 4:
                        str = string.Join(' ', baseName.Select((w, i) => i == random.Next(baseName.Count) ? Word() : w));
                        break;
                }

                atoms++;
                var preferred = a == 0;
                var sab = Sabs[random.Next(Sabs.Length)];
                line.Clear();
                line.Append(CultureInfo.InvariantCulture,
                    $"{cui}|ENG|{(preferred ? "P" : "S")}|L{atoms:D8}|{(preferred ? "PF" : "VO")}|S{atoms:D8}|{(preferred ? "Y" : "N")}|A{atoms:D8}|||{random.Next(1_000_000)}|{sab}|{(preferred ? "PT" : "SY")}|{random.Next(10_000_000)}|{str}|0|N|256|");
                await conso.WriteLineAsync(line.ToString());
            }
        }

        await conso.FlushAsync(cancellationToken);
        return (atoms, concepts, conso.BaseStream.Length);
    }

    private static double NextGaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());

    /// <summary>An <see cref="IProgress{T}"/> that reports on the calling thread.</summary>
    private sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
