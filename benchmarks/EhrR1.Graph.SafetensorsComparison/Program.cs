using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using TorchSharp.PyBridge;
using static TorchSharp.torch;

// Issue 20: our safetensors reader/writer against TorchSharp.PyBridge 1.4.4 — tensors byte for byte on Hugging Face
// layouts (single file, sharded index, F32/BF16/F16, tied embeddings), the files each writer makes, what each does
// with a damaged file, and the time to write and read a model-size file.
//
//   dotnet run -c Release --project benchmarks/EhrR1.Graph.SafetensorsComparison -- [--reference DIR] [--mib N] [--passes N]
//
// --reference: a Hugging Face checkpoint folder (default tests/TestData/training/qwen3-reference, written by
// PyTorch); --mib: size of the timed BF16 file (default 512); --passes: timed passes (default 3, median reported).
TorchSharpNative.EnsureLoadable();
var reference = Arg("--reference") ?? Path.GetFullPath(Path.Combine("tests", "TestData", "training", "qwen3-reference"));
var mib = int.Parse(Arg("--mib") ?? "512", CultureInfo.InvariantCulture);
var passes = int.Parse(Arg("--passes") ?? "3", CultureInfo.InvariantCulture);
var work = Directory.CreateTempSubdirectory("safetensors-comparison-");
try
{
    Console.WriteLine("## Loading Hugging Face layouts (tensors compared byte for byte with our loader)");
    Report("HF single file F32, tied embeddings (PyTorch-written)", CompareLoad(reference, ScalarType.Float32));
    foreach (var dtype in new[] { ScalarType.Float32, ScalarType.BFloat16, ScalarType.Float16 })
    {
        foreach (var sharded in new[] { false, true })
        {
            var dir = Path.Combine(work.FullName, $"{dtype}-{(sharded ? "sharded" : "single")}");
            using (var source = CheckpointDirectory.LoadModel(reference, ScalarType.Float32, CPU))
            {
                CheckpointDirectory.SaveModel(source, dir, dtype, maxShardBytes: sharded ? 40_000 : long.MaxValue);
            }

            Report($"HF {(sharded ? "sharded (index + shards)" : "single file")} {dtype}, tied", CompareLoad(dir, dtype));
        }
    }

    var withHead = Path.Combine(work.FullName, "tied-with-lm-head");
    CopyWithLmHead(reference, withHead);
    Report("HF tied, file also holds lm_head.weight", CompareLoad(withHead, ScalarType.Float32));
    Report("HF file lacking model.norm.weight", CompareMissing(reference, "model.norm.weight"));

    Console.WriteLine();
    Console.WriteLine("## Saving (the same model through each writer)");
    CompareSave(reference);

    Console.WriteLine();
    Console.WriteLine("## Damaged files (what each reader raises)");
    CompareDamage(reference);

    Console.WriteLine();
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## Speed: {mib} MiB BF16 file, {passes} passes, median"));
    CompareSpeed();
}
finally
{
    work.Delete(recursive: true);
}

string CompareLoad(string dir, ScalarType dtype)
{
    using var ours = CheckpointDirectory.LoadModel(dir, dtype, CPU);
    using var theirs = NewModel(dir, dtype);
    var strict = Outcome(() => theirs.load_checkpoint(dir, strict: true, useTqdm: false));
    var extra = string.Join(", ", theirs.state_dict().Keys.Where(k => !ours.named_parameters().Any(p => p.name == k)).Take(3));
    var loaded = new Dictionary<string, bool>(StringComparer.Ordinal);
    var lax = Outcome(() => theirs.load_checkpoint(dir, strict: false, loadedParameters: loaded, useTqdm: false));
    var a = ours.named_parameters().ToDictionary(p => p.name, p => p.parameter.bytes.ToArray());
    var differ = theirs.named_parameters().Count(p => !a[p.name].AsSpan().SequenceEqual(p.parameter.bytes));
    var ignored = string.Join(", ", loaded.Where(kv => !kv.Value).Select(kv => kv.Key));
    return $"strict: {strict} (state_dict keys not in the file: {(extra.Length == 0 ? "none" : extra)}); "
        + $"non-strict: {lax}, " + (differ == 0 ? $"identical ({a.Count} tensors)" : $"{differ} of {a.Count} tensors differ")
        + (ignored.Length > 0 ? $", ignored: {ignored}" : string.Empty);
}

string CompareMissing(string from, string dropped)
{
    var dir = Path.Combine(work.FullName, "missing");
    Directory.CreateDirectory(dir);
    File.Copy(Path.Combine(from, "config.json"), Path.Combine(dir, "config.json"), overwrite: true);
    using (var f = SafeTensorsFile.Open(Path.Combine(from, "model.safetensors")))
    {
        var kept = f.Entries.Keys.Where(n => n != dropped).Select(n => (n, f.Read(n))).ToList();
        SafeTensorsFile.Write(Path.Combine(dir, "model.safetensors"), kept);
    }

    var ours = Outcome(() => CheckpointDirectory.LoadModel(dir, ScalarType.Float32, CPU).Dispose());
    using var theirs = NewModel(dir, ScalarType.Float32);
    using var before = theirs.named_parameters().First(p => p.name == dropped).parameter.detach().clone();
    var lax = Outcome(() => theirs.load_checkpoint(dir, strict: false, useTqdm: false));
    var untouched = theirs.named_parameters().First(p => p.name == dropped).parameter.bytes.SequenceEqual(before.bytes);
    return $"ours: {ours}; PyBridge non-strict: {lax}, {dropped} {(untouched ? "keeps its initial value" : "changed")}";
}

void CompareSave(string dir)
{
    using var model = CheckpointDirectory.LoadModel(dir, ScalarType.Float32, CPU);
    var ourFile = Path.Combine(work.FullName, "ours.safetensors");
    var theirFile = Path.Combine(work.FullName, "pybridge.safetensors");
    SafeTensorsFile.Write(ourFile, model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)));
    model.save_safetensors(theirFile);
    var sameBytes = File.ReadAllBytes(ourFile).AsSpan().SequenceEqual(File.ReadAllBytes(theirFile));
    Console.WriteLine($"- files byte-identical: {sameBytes} (ours {new FileInfo(ourFile).Length} B, PyBridge {new FileInfo(theirFile).Length} B)");
    Console.WriteLine($"- header length multiple of 8 (safetensors alignment rule): ours {HeaderLength(ourFile) % 8 == 0}, PyBridge {HeaderLength(theirFile) % 8 == 0}");
    Console.WriteLine($"- tensors of PyBridge's file read by ours / of ours read by PyBridge: {CrossRead(theirFile, ourFile)}");

    // A second save of a smaller model over the same path: File.OpenWrite does not truncate.
    using (var small = NewTinyLinear())
    {
        Safetensors.SaveStateDict(theirFile, small.state_dict());
    }

    var declared = 8 + HeaderLength(theirFile) + DataBytes(theirFile);
    Console.WriteLine($"- PyBridge Safetensors.SaveStateDict over a larger file: file {new FileInfo(theirFile).Length} B, content {declared} B (stale bytes left: {new FileInfo(theirFile).Length - declared})");
    Console.WriteLine("- ours only: atomic temp-then-rename, __metadata__ {\"format\":\"pt\"}, dtype conversion, shards + index, LoRA merged into base weights");
}

void CompareDamage(string dir)
{
    var good = File.ReadAllBytes(Path.Combine(dir, "model.safetensors"));
    var cases = new (string Name, byte[] Bytes)[]
    {
        ("truncated (last 1,000 bytes cut)", good[..^1000]),
        ("header length larger than the file", WithHeaderLength(good, 1L << 40)),
        ("header JSON damaged (one byte flipped)", Flip(good, 10)),
        ("unsupported dtype \"F8\"", Replace(good, "\"F32\"", "\"F8\" ")),
        ("empty file", []),
    };
    foreach (var (name, bytes) in cases)
    {
        var path = Path.Combine(work.FullName, "bad.safetensors");
        File.WriteAllBytes(path, bytes);
        var ours = Outcome(() =>
        {
            using var f = SafeTensorsFile.Open(path);
            foreach (var e in f.Entries.Keys)
            {
                f.Read(e).Dispose();
            }
        });
        var theirs = Outcome(() =>
        {
            foreach (var t in Safetensors.LoadStateDict(path).Values)
            {
                t.Dispose();
            }
        });
        Console.WriteLine($"- {name}\n  ours: {ours}\n  PyBridge: {theirs}");
    }
}

void CompareSpeed()
{
    var elements = mib * 1024L * 1024 / 2 / 16;
    var tensors = Enumerable.Range(0, 16).Select(i => ($"model.layers.{i}.mlp.up_proj.weight", randn(elements, dtype: ScalarType.BFloat16))).ToList();
    var byName = tensors.ToDictionary(t => t.Item1, t => t.Item2);
    var ourFile = Path.Combine(work.FullName, "big-ours.safetensors");
    var theirFile = Path.Combine(work.FullName, "big-pybridge.safetensors");
    Time("write", () => SafeTensorsFile.Write(ourFile, tensors), () =>
    {
        File.Delete(theirFile);
        Safetensors.SaveStateDict(theirFile, byName);
    });
    Time("read all tensors", () =>
    {
        using var f = SafeTensorsFile.Open(ourFile);
        foreach (var n in f.Entries.Keys)
        {
            f.Read(n).Dispose();
        }
    }, () =>
    {
        foreach (var t in Safetensors.LoadStateDict(theirFile).Values)
        {
            t.Dispose();
        }
    });
    Console.WriteLine($"- tensors identical after each writer+reader: {CrossRead(theirFile, ourFile)}");
    foreach (var (_, t) in tensors)
    {
        t.Dispose();
    }
}

void Time(string what, Action ours, Action theirs)
{
    double Median(Action a)
    {
        var times = new List<double>();
        for (var i = 0; i < passes; i++)
        {
            GC.Collect();
            var sw = Stopwatch.StartNew();
            a();
            times.Add(sw.Elapsed.TotalSeconds);
        }

        return times.Order().ElementAt(times.Count / 2);
    }

    var o = Median(ours);
    var t = Median(theirs);
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"- {what}: ours {o:F2} s ({mib / o:F0} MiB/s), PyBridge {t:F2} s ({mib / t:F0} MiB/s)"));
}

string CrossRead(string theirFile, string ourFile)
{
    using var scope = NewDisposeScope();
    using var theirsByOurs = SafeTensorsFile.Open(theirFile);
    var oursByTheirs = Safetensors.LoadStateDict(ourFile);
    var differ = 0;
    foreach (var (name, t) in oursByTheirs)
    {
        using var mine = theirsByOurs.Read(name);
        if (!mine.bytes.SequenceEqual(t.bytes))
        {
            differ++;
        }
    }

    return differ == 0 ? $"identical ({oursByTheirs.Count} tensors)" : $"{differ} of {oursByTheirs.Count} differ";
}

static Qwen3ForCausalLM NewModel(string dir, ScalarType dtype)
{
    var previous = get_default_dtype();
    set_default_dtype(dtype);
    try
    {
        return new Qwen3ForCausalLM(Qwen3Config.Load(Path.Combine(dir, "config.json")));
    }
    finally
    {
        set_default_dtype(previous);
    }
}

static TorchSharp.Modules.Linear NewTinyLinear() => nn.Linear(2, 2);

void CopyWithLmHead(string from, string to)
{
    Directory.CreateDirectory(to);
    File.Copy(Path.Combine(from, "config.json"), Path.Combine(to, "config.json"));
    using var f = SafeTensorsFile.Open(Path.Combine(from, "model.safetensors"));
    var all = f.Entries.Keys.Select(n => (n, f.Read(n))).ToList();
    all.Add(("lm_head.weight", f.Read("model.embed_tokens.weight")));
    SafeTensorsFile.Write(Path.Combine(to, "model.safetensors"), all, new Dictionary<string, string> { ["format"] = "pt" });
}

static long HeaderLength(string path)
{
    using var s = File.OpenRead(path);
    var b = new byte[8];
    s.ReadExactly(b);
    return BitConverter.ToInt64(b);
}

static long DataBytes(string path)
{
    using var f = SafeTensorsFile.Open(path);
    return f.Entries.Values.Max(e => e.End);
}

static string Outcome(Action action)
{
    try
    {
        action();
        return "no error";
    }
    catch (Exception ex)
    {
        var message = ex.Message.ReplaceLineEndings(" ");
        return ex.GetType().Name + ": " + (message.Length > 160 ? message[..160] + "..." : message);
    }
}

static byte[] WithHeaderLength(byte[] bytes, long length)
{
    var copy = (byte[])bytes.Clone();
    BitConverter.GetBytes(length).CopyTo(copy, 0);
    return copy;
}

static byte[] Flip(byte[] bytes, int at)
{
    var copy = (byte[])bytes.Clone();
    copy[at] ^= 0x5B;
    return copy;
}

static byte[] Replace(byte[] bytes, string what, string with)
{
    var text = System.Text.Encoding.Latin1.GetString(bytes);
    var i = text.IndexOf(what, StringComparison.Ordinal);
    var copy = (byte[])bytes.Clone();
    System.Text.Encoding.Latin1.GetBytes(with).CopyTo(copy, i);
    return copy;
}

static void Report(string name, string result) => Console.WriteLine($"- {name}: {result}");

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}
