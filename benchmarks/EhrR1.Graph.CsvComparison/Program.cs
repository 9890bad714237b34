using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using CsvHelper;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Trajectories.Csv;
using EhrR1.Graph.Umls.Sample;
using nietras.SeparatedValues;

// Issue 20: our two CSV readers (MimicCsvReader for ingestion, CsvRecordReader for the vocabulary builder) against
// Sep 0.18.0 and CsvHelper 34.0.0 on the same inputs, in one run.
//
//   dotnet run -c Release --project benchmarks/EhrR1.Graph.CsvComparison -- [--data DIR] [--work DIR] [--scale N] [--passes N]
//
// --data: the MIMIC-IV demo root (default: shared/data/mimic-iv-demo-2.2 in a folder above the current one);
// --work: where the decompressed tables, the synthetic labevents and the edge-case files are written (default: the
// temporary folder); --scale: copies of the demo's labevents in the synthetic file (default 100); --passes: timed
// passes (default 3; the median is reported). Within each pass the readers run in turn on each input, starting with
// a different reader each pass, so that a loaded machine slows them alike. A .gz input is decompressed by the same
// VerifiedGzipStream (CRC-32 and length checked) for all four readers.
var dataDir = Arg("--data") ?? FindDemo() ?? throw new InvalidOperationException("MIMIC-IV demo not found: pass --data DIR.");
var workDir = Arg("--work") ?? Path.Combine(Path.GetTempPath(), "ehr-csv-comparison");
var scale = int.Parse(Arg("--scale") ?? "100", CultureInfo.InvariantCulture);
var passes = int.Parse(Arg("--passes") ?? "3", CultureInfo.InvariantCulture);
Directory.CreateDirectory(workDir);

Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"# {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores, load average {LoadAverage()}, .NET {Environment.Version}"));

// ---- inputs ----
string[] tables = ["hosp/labevents", "hosp/prescriptions", "hosp/emar", "hosp/poe", "hosp/microbiologyevents", "hosp/d_icd_diagnoses"];
var inputs = new List<(string Name, string Path)>();
foreach (var table in tables)
{
    var target = Path.Combine(workDir, Path.GetFileName(table) + ".csv");
    if (!File.Exists(target))
    {
        using var gz = new GZipStream(File.OpenRead(Path.Combine(dataDir, table + ".csv.gz")), CompressionMode.Decompress);
        using var output = File.Create(target);
        gz.CopyTo(output);
    }

    inputs.Add((table + ".csv", target));
}

var demoTables = inputs.ToList();
inputs.Insert(0, ("hosp/labevents.csv.gz (gzip)", Path.Combine(dataDir, "hosp", "labevents.csv.gz")));
var synthetic = Path.Combine(workDir, string.Create(CultureInfo.InvariantCulture, $"labevents-x{scale}.csv"));
if (!File.Exists(synthetic))
{
    var lines = File.ReadAllBytes(inputs[1].Path);
    var headerEnd = Array.IndexOf(lines, (byte)'\n') + 1;
    using var output = File.Create(synthetic);
    output.Write(lines, 0, headerEnd);
    for (var i = 0; i < scale; i++)
    {
        output.Write(lines, headerEnd, lines.Length - headerEnd);
    }
}

inputs.Add((string.Create(CultureInfo.InvariantCulture, $"synthetic labevents ×{scale}"), synthetic));

// ---- readers ----
var readers = new Reader[]
{
    new("ours: MimicCsvReader", ReadOurs, HashOurs),
    new("ours: CsvRecordReader", ReadRecordReader, HashRecordReader),
    new("Sep 0.18.0", ReadSep, HashSep),
    new("CsvHelper 34.0.0", ReadCsvHelper, HashCsvHelper),
};

// ---- same values on the demo tables and the edge cases ----
var edge = WriteEdgeCases(workDir);
Console.WriteLine();
Console.WriteLine("## Same field values as MimicCsvReader (strings compared; an empty field is null for every reader)");
foreach (var (name, path) in demoTables.Append(("edge cases", edge)))
{
    var reference = readers[0].Hash(path);
    var parts = new List<string>();
    foreach (var reader in readers.Skip(1))
    {
        var other = reader.Hash(path);
        var mismatches = Math.Abs(reference.Count - other.Count);
        var first = -1;
        for (var i = 0; i < Math.Min(reference.Count, other.Count); i++)
        {
            if (reference[i] != other[i])
            {
                mismatches++;
                first = first < 0 ? i : first;
            }
        }

        var at = first < 0 ? string.Empty : string.Create(CultureInfo.InvariantCulture, $" (first: field {first} in file order)");
        parts.Add(string.Create(CultureInfo.InvariantCulture, $"{reader.Name}: {mismatches} mismatches{at}"));
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- {name} ({reference.Count:N0} fields): {string.Join("; ", parts)}"));
}

// ---- what each reader says about a bad row ----
Console.WriteLine();
Console.WriteLine("## Bad rows");
foreach (var (kind, path) in WriteBadFiles(workDir))
{
    Console.WriteLine("### " + kind);
    foreach (var reader in readers)
    {
        string outcome;
        try
        {
            var s = reader.Read(path);
            outcome = string.Create(CultureInfo.InvariantCulture, $"no error, {s.Rows} rows");
        }
        catch (Exception e)
        {
            outcome = Describe(e);
        }

        Console.WriteLine($"- {reader.Name}: {outcome.ReplaceLineEndings(" ")}");
    }
}

// ---- throughput ----
foreach (var reader in readers)
{
    // Warm-up (JIT), untimed.
    reader.Read(edge);
    reader.Read(inputs[2].Path);
}

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## Throughput: {passes} passes, median (readers interleaved, rotating start)"));
var times = new Dictionary<(string, string), List<(double Seconds, double BytesPerRow, double AllBytesPerRow, long Rows)>>();
for (var pass = 0; pass < passes; pass++)
{
    foreach (var (name, path) in inputs)
    {
        for (var k = 0; k < readers.Length; k++)
        {
            var reader = readers[(k + pass) % readers.Length];
            GC.Collect();
            GC.WaitForPendingFinalizers();
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var allocatedAll = GC.GetTotalAllocatedBytes(precise: true);
            var watch = Stopwatch.StartNew();
            var stats = reader.Read(path);
            watch.Stop();
            var bytes = GC.GetAllocatedBytesForCurrentThread() - allocated;
            var bytesAll = GC.GetTotalAllocatedBytes(precise: true) - allocatedAll;
            if (!times.TryGetValue((name, reader.Name), out var list))
            {
                times[(name, reader.Name)] = list = [];
            }

            list.Add((watch.Elapsed.TotalSeconds, (double)bytes / Math.Max(1, stats.Rows), (double)bytesAll / Math.Max(1, stats.Rows), stats.Rows));
        }
    }

    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"pass {pass + 1} done, load average {LoadAverage()}"));
}

Console.WriteLine();
// "this thread": GC.GetAllocatedBytesForCurrentThread; "process": GC.GetTotalAllocatedBytes, which also counts the
// thread-pool threads that async reads (CsvRecordReader) may continue on.
Console.WriteLine("| input | reader | rows | rows/s (median) | vs MimicCsvReader | allocated bytes/row, this thread | allocated bytes/row, process |");
Console.WriteLine("|---|---|---:|---:|---:|---:|---:|");
foreach (var (name, path) in inputs)
{
    var mb = new FileInfo(path).Length / 1048576.0;
    double? baseRate = null;
    foreach (var reader in readers)
    {
        var list = times[(name, reader.Name)];
        var seconds = Median(list.Select(t => t.Seconds));
        var rate = list[0].Rows / seconds;
        baseRate ??= rate;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {name} ({mb:F1} MiB) | {reader.Name} | {list[0].Rows:N0} | {rate:N0} | {rate / baseRate.Value:F2} | {Median(list.Select(t => t.BytesPerRow)):N1} | {Median(list.Select(t => t.AllBytesPerRow)):N1} |"));
    }
}

Console.WriteLine();
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# done {DateTime.UtcNow:HH:mm} UTC, load average {LoadAverage()}"));
return 0;

// Each reader walks every field of every row the cheapest way its API offers (spans where it has them), adding
// lengths so that nothing is optimised away.
static Stats ReadOurs(string path)
{
    using var csv = MimicCsvReader.Open(path);
    long rows = 0, chars = 0, nulls = 0;
    while (csv.Read())
    {
        rows++;
        for (var i = 0; i < csv.FieldCount; i++)
        {
            var f = csv[i];
            chars += f.Length;
            nulls += f.IsEmpty ? 1 : 0;
        }
    }

    return new(rows, chars, nulls);
}

static Stats ReadRecordReader(string path)
{
    var columns = Header(path);
    var reader = new CsvRecordReader(path);
    long rows = 0, chars = 0, nulls = 0;
    var e = reader.ReadAsync(CancellationToken.None).GetAsyncEnumerator();
    try
    {
        while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
        {
            rows++;
            foreach (var c in columns)
            {
                var v = e.Current[c];
                chars += v.Length;
                nulls += v.Length == 0 ? 1 : 0;
            }
        }
    }
    finally
    {
        e.DisposeAsync().AsTask().GetAwaiter().GetResult();
    }

    return new(rows, chars, nulls);
}

static SepReader OpenSep(string path) =>
    path.EndsWith(".gz", StringComparison.Ordinal)
        ? Sep.New(',').Reader(o => o with { Unescape = true }).From(VerifiedGzipStream.Open(path))
        : Sep.New(',').Reader(o => o with { Unescape = true }).FromFile(path);

static Stats ReadSep(string path)
{
    using var reader = OpenSep(path);
    long rows = 0, chars = 0, nulls = 0;
    foreach (var row in reader)
    {
        rows++;
        for (var i = 0; i < row.ColCount; i++)
        {
            var f = row[i].Span;
            chars += f.Length;
            nulls += f.IsEmpty ? 1 : 0;
        }
    }

    return new(rows, chars, nulls);
}

static CsvReader OpenCsvHelper(string path)
{
    var options = new CsvReaderOptions
    {
        Separator = ',',
        TrackLineNumbers = true,
        MalformedData = CsvMalformedDataHandling.Throw,
        FieldCountMismatch = CsvFieldCountHandling.Throw,
    };
    return path.EndsWith(".gz", StringComparison.Ordinal)
        ? CsvReader.Create(VerifiedGzipStream.Open(path), options, false)
        : CsvReader.FromFile(path, options);
}

static Stats ReadCsvHelper(string path)
{
    using var reader = OpenCsvHelper(path);
    long rows = 0, chars = 0, nulls = 0;
    while (reader.Read())
    {
        rows++;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            var f = reader.GetSpan(i);
            chars += f.Length;
            nulls += f.IsEmpty ? 1 : 0;
        }
    }

    return new(rows, chars, nulls);
}

// Hashes of every field's string value, in order, for the comparison (untimed).
static List<int> HashOurs(string path)
{
    var hashes = new List<int>();
    using var csv = MimicCsvReader.Open(path);
    while (csv.Read())
    {
        for (var i = 0; i < csv.FieldCount; i++)
        {
            hashes.Add(StringComparer.Ordinal.GetHashCode(csv.GetString(i) ?? string.Empty));
        }
    }

    return hashes;
}

static List<int> HashRecordReader(string path)
{
    var columns = Header(path);
    var hashes = new List<int>();
    var e = new CsvRecordReader(path).ReadAsync(CancellationToken.None).GetAsyncEnumerator();
    while (e.MoveNextAsync().AsTask().GetAwaiter().GetResult())
    {
        foreach (var c in columns)
        {
            hashes.Add(StringComparer.Ordinal.GetHashCode(e.Current[c]));
        }
    }

    e.DisposeAsync().AsTask().GetAwaiter().GetResult();
    return hashes;
}

static List<int> HashSep(string path)
{
    var hashes = new List<int>();
    using var reader = OpenSep(path);
    foreach (var row in reader)
    {
        for (var i = 0; i < row.ColCount; i++)
        {
            hashes.Add(StringComparer.Ordinal.GetHashCode(row[i].ToString()));
        }
    }

    return hashes;
}

static List<int> HashCsvHelper(string path)
{
    var hashes = new List<int>();
    using var reader = OpenCsvHelper(path);
    while (reader.Read())
    {
        for (var i = 0; i < reader.FieldCount; i++)
        {
            hashes.Add(StringComparer.Ordinal.GetHashCode(reader.GetString(i) ?? string.Empty));
        }
    }

    return hashes;
}

static string[] Header(string path)
{
    using var csv = MimicCsvReader.Open(path);
    return [.. csv.Header];
}

static string WriteEdgeCases(string dir)
{
    var path = Path.Combine(dir, "edge-cases.csv");
    File.WriteAllText(path,
        "id,name,note,value\n" +
        "1,\"Smith, John\",plain,1.5\n" +
        "2,,\"two\nlines\",\n" +
        "3,\"say \"\"hi\"\"\",\"\",\n" +
        "4,\"a,b\r\nc\",x,\"\"\"\"\r\n" +
        "5,é ü,,7\n", new UTF8Encoding(false));
    return path;
}

static IEnumerable<(string Kind, string Path)> WriteBadFiles(string dir)
{
    var header = "id,name,note,value\n1,a,b,1\n2,\"multi\nline\",c,2\n";
    (string, string)[] bad =
    [
        ("a row with 3 fields instead of 4 (line 5)", header + "3,x,y\n4,a,b,4\n"),
        ("text after a closing quote (line 5, field name)", header + "3,\"x\"y,z,3\n"),
        ("a quote that is never closed (from line 5)", header + "3,\"x,y,z\n4,a,b,4\n"),
        ("invalid UTF-8 (line 5, field note)", header + "3,x,caf\u00E9,3\n"),
    ];
    for (var i = 0; i < bad.Length; i++)
    {
        var path = Path.Combine(dir, string.Create(CultureInfo.InvariantCulture, $"bad-{i + 1}.csv"));
        var bytes = Encoding.UTF8.GetBytes(bad[i].Item2);
        if (i == 3)
        {
            // Latin-1 é instead of UTF-8.
            bytes = [.. Encoding.UTF8.GetBytes(header + "3,x,caf"), 0xE9, .. Encoding.UTF8.GetBytes(",3\n")];
        }

        File.WriteAllBytes(path, bytes);
        yield return (bad[i].Item1, path);
    }
}

static string Describe(Exception e)
{
    var extra = e switch
    {
        CsvFormatException f => string.Create(CultureInfo.InvariantCulture,
            $" [RecordNumber {f.RecordNumber}, LineNumber {f.LineNumber}, FieldIndex {f.FieldIndex}, ByteOffset {f.ByteOffset}]"),
        _ => string.Empty,
    };
    var message = e.Message.Length > 300 ? e.Message[..300] + "…" : e.Message;
    return e.GetType().Name + ": " + message + extra;
}

static double Median(IEnumerable<double> values)
{
    var sorted = values.Order().ToArray();
    return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
}

static string LoadAverage()
{
    try
    {
        return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
    }
    catch (IOException)
    {
        return "unknown";
    }
}

static string? FindDemo()
{
    for (var dir = new DirectoryInfo(Environment.CurrentDirectory); dir is not null; dir = dir.Parent)
    {
        var candidate = Path.Combine(dir.FullName, "shared", "data", "mimic-iv-demo-2.2");
        if (Directory.Exists(candidate))
        {
            return candidate;
        }
    }

    return null;
}

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

internal sealed record Stats(long Rows, long Chars, long Nulls);

internal sealed record Reader(string Name, Func<string, Stats> Read, Func<string, List<int>> Hash);
