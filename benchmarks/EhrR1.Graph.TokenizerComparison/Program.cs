using System.Diagnostics;
using System.Globalization;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EhrR1.Graph.Training.Tokenization;
using Microsoft.ML.Tokenizers;

// Issue 20: our Qwen3 BPE against Microsoft.ML.Tokenizers on the same tokenizer.json — ids on every reference case,
// then encode throughput on rendered EHR text.
//
//   dotnet run -c Release --project benchmarks/EhrR1.Graph.TokenizerComparison -- [--tokenizer DIR] [--data DIR] [--rows N] [--passes N]
//
// --tokenizer: the Qwen3 tokenizer folder (default: as the trainer finds it); --data: the MIMIC-IV demo root
// (default ../shared/data/mimic-iv-demo-2.2 beside the tokenizer's shared folder) whose lab and prescription rows are
// rendered as EHR tables; --rows: table rows to render (default 60,000); --passes: timed passes per tokenizer.
var tokenizerDir = Arg("--tokenizer") ?? TokenizerLocations.FindQwen3()
    ?? throw new InvalidOperationException("Qwen3 tokenizer not found: pass --tokenizer DIR or set " + TokenizerLocations.TokenizerVariable + ".");
var dataDir = Arg("--data") ?? Path.GetFullPath(Path.Combine(tokenizerDir, "..", "..", "data", "mimic-iv-demo-2.2"));
var rows = int.Parse(Arg("--rows") ?? "60000", CultureInfo.InvariantCulture);
var passes = int.Parse(Arg("--passes") ?? "3", CultureInfo.InvariantCulture);

var ours = Qwen3Tokenizer.Load(tokenizerDir);
var (mlRegex, mlAdded) = MlTokenizers.Create(tokenizerDir, codePointPreTokenizer: false);
var (mlRunes, _) = MlTokenizers.Create(tokenizerDir, codePointPreTokenizer: true);

// ---- ids on every case ----
var cases = ReferenceCases.Load(tokenizerDir);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# {cases.Count} cases: {tokenizerDir}"));
var candidates = new (string Name, Func<string, IReadOnlyList<int>> Encode)[]
{
    ("ours (Qwen3Tokenizer)", t => ours.Encode(t)),
    ("Microsoft.ML.Tokenizers 3.0.0, RegexPreTokenizer with the tokenizer.json pattern", t => mlRegex.EncodeToIds(t)),
    ("Microsoft.ML.Tokenizers 3.0.0, code-point pre-tokenizer", t => mlRunes.EncodeToIds(t)),
};
foreach (var (name, encode) in candidates)
{
    var matched = 0;
    var differences = new List<string>();
    foreach (var c in cases)
    {
        string found;
        try
        {
            var ids = encode(c.Text);
            if (ids.SequenceEqual(c.Ids))
            {
                matched++;
                continue;
            }

            found = "[" + string.Join(",", ids) + "]";
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            found = e.GetType().Name + ": " + e.Message;
        }

        differences.Add($"  - {c.Name} {Escape(c.Text)}: expected [{string.Join(",", c.Ids)}], got {found}");
    }

    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{name}: {matched}/{cases.Count} cases match"));
    differences.ForEach(Console.WriteLine);
}

Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"added tokens given to Microsoft.ML.Tokenizers as special tokens: {mlAdded}"));

// ---- encode throughput ----
var corpus = EhrCorpus.Render(dataDir, rows);
var chars = corpus.Sum(r => (long)r.Length);
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"# throughput ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {LoadAverage()}): {corpus.Count:N0} records, {chars / 1e6:0.0} M chars from {rows:N0} rendered MIMIC-IV demo rows; a fresh tokenizer per pass"));
var timed = new (string Name, Func<Func<string, int>> Fresh)[]
{
    ("ours", () => { var t = Qwen3Tokenizer.Load(tokenizerDir); return s => t.Encode(s).Count; }),
    ("Microsoft.ML.Tokenizers (regex)", () => { var t = MlTokenizers.Create(tokenizerDir, false).Tokenizer; return s => t.EncodeToIds(s).Count; }),
    ("Microsoft.ML.Tokenizers (code points)", () => { var t = MlTokenizers.Create(tokenizerDir, true).Tokenizer; return s => t.EncodeToIds(s).Count; }),
};

// Untimed warm-up, so that JIT compilation does not count against whichever runs first.
foreach (var (_, fresh) in timed)
{
    var encode = fresh();
    corpus.Take(50).ToList().ForEach(r => encode(r));
}

for (var pass = 1; pass <= passes; pass++)
{
    foreach (var (name, fresh) in timed)
    {
        var encode = fresh();
        GC.Collect();
        var cpu0 = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        long tokens = 0;
        foreach (var record in corpus)
        {
            tokens += encode(record);
        }

        // Second sweep over the same records: the piece caches are warm, as in a multi-epoch run or repeated text.
        var cold = clock.Elapsed;
        foreach (var record in corpus)
        {
            tokens += encode(record);
        }

        var all = clock.Elapsed;
        var cpu = Process.GetCurrentProcess().TotalProcessorTime - cpu0;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"pass {pass} {name}: {tokens / 2:N0} tokens; first sweep {tokens / 2 / cold.TotalSeconds / 1e6:0.00} M tokens/s, second {tokens / 2 / (all - cold).TotalSeconds / 1e6:0.00} M tokens/s; {tokens / cpu.TotalSeconds / 1e6:0.00} M tokens per CPU-second; load {LoadAverage()}"));
    }
}

return 0;

string? Arg(string name)
{
    var i = Array.IndexOf(args, name);
    return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
}

static string Escape(string s) =>
    "\"" + string.Concat(s.Select(c => c is >= ' ' and < '\u007F' ? c.ToString() : $"\\u{(int)c:x4}")) + "\"";

static string LoadAverage() =>
    File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

/// <summary>A reference case: text and the ids Hugging Face's tokenizers give.</summary>
internal sealed record ReferenceCase(string Name, string Text, int[] Ids);

internal static class ReferenceCases
{
    /// <summary>
    /// The shared reference cases, the chat-template cases, and the three hard strings of issue 20 (ids from Hugging
    /// Face's tokenizers, Rust and JS): a lone surrogate, U+FFFE and a digit outside the BMP.
    /// </summary>
    public static List<ReferenceCase> Load(string dir)
    {
        var cases = new List<ReferenceCase>();
        var n = 0;
        foreach (var line in File.ReadLines(Path.Combine(dir, "reference-cases.jsonl")).Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            cases.Add(new ReferenceCase($"reference {++n}", doc.RootElement.GetProperty("text").GetString()!, Ids(doc.RootElement)));
        }

        n = 0;
        foreach (var line in File.ReadLines(Path.Combine(dir, "chat-template-cases.jsonl")).Where(l => l.Length > 0))
        {
            using var doc = JsonDocument.Parse(line);
            cases.Add(new ReferenceCase($"chat template {++n}", doc.RootElement.GetProperty("text").GetString()!, Ids(doc.RootElement)));
        }

        cases.Add(new ReferenceCase("issue 20: lone surrogate", "abc\ud800def", [13683, 5691, 750]));
        cases.Add(new ReferenceCase("issue 20: U+FFFE", "a\ufffe", [64, 5564, 122]));
        cases.Add(new ReferenceCase("issue 20: digit outside the BMP", "x \U0001D7D8", [87, 220, 56252, 253, 246]));
        cases.Add(new ReferenceCase("added tokens", "<|im_start|>user\n<think></think><|im_end|><|endoftext|>", [151644, 872, 198, 151667, 151668, 151645, 151643]));
        return cases;
    }

    private static int[] Ids(JsonElement root) => [.. root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32())];
}

/// <summary>Microsoft.ML.Tokenizers' BPE configured from the same <c>tokenizer.json</c>.</summary>
internal static class MlTokenizers
{
    public static (BpeTokenizer Tokenizer, int AddedTokens) Create(string dir, bool codePointPreTokenizer)
    {
        using var stream = File.OpenRead(Path.Combine(dir, "tokenizer.json"));
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        var vocab = model.GetProperty("vocab").EnumerateObject().Select(p => new KeyValuePair<string, int>(p.Name, p.Value.GetInt32())).ToList();
        var merges = model.GetProperty("merges").EnumerateArray()
            .Select(m => m.ValueKind == JsonValueKind.Array ? m[0].GetString() + " " + m[1].GetString() : m.GetString()!).ToList();
        var added = root.GetProperty("added_tokens").EnumerateArray()
            .ToDictionary(a => a.GetProperty("content").GetString()!, a => a.GetProperty("id").GetInt32(), StringComparer.Ordinal);
        var pattern = root.GetProperty("pre_tokenizer").GetProperty("pretokenizers")[0].GetProperty("pattern").GetProperty("Regex").GetString()!;
        PreTokenizer pre = codePointPreTokenizer
            ? new CodePointPreTokenizer(added)
            : new RegexPreTokenizer(new Regex(pattern, RegexOptions.CultureInvariant | RegexOptions.Compiled), added);
        var tokenizer = BpeTokenizer.Create(new BpeOptions(vocab)
        {
            Merges = merges,
            SpecialTokens = added,
            ByteLevel = true,
            PreTokenizer = pre,
            Normalizer = new NfcNormalizer(),
        });
        return (tokenizer, added.Count);
    }

    /// <summary>
    /// Hugging Face's <c>NFC</c> normalizer, which the library lacks: ours, lone surrogates to U+FFFD included (a
    /// plain <see cref="string.Normalize()"/> throws on them and on U+FFFE before the library sees the text).
    /// </summary>
    private sealed class NfcNormalizer : Normalizer
    {
        public override string Normalize(string original) => Qwen3Tokenizer.Nfc(Qwen3Tokenizer.ReplaceLoneSurrogates(original));

        public override string Normalize(ReadOnlySpan<char> original) => Normalize(original.ToString());
    }

    /// <summary>Our code-point pre-tokenizer (<see cref="Qwen3PreTokenizer"/>), with added tokens split off first.</summary>
    private sealed class CodePointPreTokenizer(IReadOnlyDictionary<string, int> added) : PreTokenizer
    {
        private readonly Regex _added = new(string.Join("|", added.Keys.OrderByDescending(k => k.Length).Select(Regex.Escape)), RegexOptions.CultureInvariant | RegexOptions.Compiled);

        public override IEnumerable<(int Offset, int Length)> PreTokenize(string text) => Split(text);

        public override IEnumerable<(int Offset, int Length)> PreTokenize(ReadOnlySpan<char> text) => Split(text.ToString());

        private List<(int Offset, int Length)> Split(string text)
        {
            var pieces = new List<(int, int)>();
            var pos = 0;
            foreach (Match m in _added.Matches(text))
            {
                Add(text, pos, m.Index, pieces);
                pieces.Add((m.Index, m.Length));
                pos = m.Index + m.Length;
            }

            Add(text, pos, text.Length, pieces);
            return pieces;
        }

        private static void Add(string text, int start, int end, List<(int, int)> pieces)
        {
            for (var i = start; i < end;)
            {
                var length = Qwen3PreTokenizer.NextPiece(text.AsSpan(0, end), i);
                pieces.Add((i, length));
                i += length;
            }
        }
    }
}

/// <summary>EHR text: MIMIC-IV demo lab and prescription rows rendered as the markdown tables of an EHR-Ins prompt.</summary>
internal static class EhrCorpus
{
    public static List<string> Render(string dataDir, int rows)
    {
        var labels = ReadCsv(Path.Combine(dataDir, "hosp", "d_labitems.csv.gz")).Skip(1).ToDictionary(r => r[0], r => r[1], StringComparer.Ordinal);
        var records = new List<string>();
        var text = new StringBuilder();
        var inRecord = 0;

        void Flush()
        {
            if (inRecord == 0)
            {
                return;
            }

            text.Append("\nWhich laboratory tests will be ordered next?");
            records.Add(ChatTemplate.Render(
                [new ChatMessage("user", text.ToString()), new ChatMessage("assistant", "<think>\nThe record shows repeated electrolyte checks.\n</think>\n\nPotassium, Creatinine")],
                addGenerationPrompt: false));
            text.Clear();
            inRecord = 0;
        }

        void Row(string header, string row)
        {
            if (inRecord == 0)
            {
                text.Append("## Patient Demographics\nGender: F, Age: 67\n").Append(header);
            }

            text.Append(row).Append('\n');
            if (++inRecord == 120)
            {
                Flush();
            }
        }

        const string LabHeader = "## Laboratory Test Events\n| charttime | item_name | value | unit | flag | comments |\n| --- | --- | --- | --- | --- | --- |\n";
        foreach (var r in ReadCsv(Path.Combine(dataDir, "hosp", "labevents.csv.gz")).Skip(1).Take(rows / 2))
        {
            Row(LabHeader, $"| {r[6]} | {labels.GetValueOrDefault(r[4], r[4])} | {r[8]} | {r[10]} | {r[13]} | {r[15].ReplaceLineEndings(" ")} |");
        }

        Flush();
        const string RxHeader = "## Medications\n| starttime | drug | dose | unit | route |\n| --- | --- | --- | --- | --- |\n";
        foreach (var r in ReadCsv(Path.Combine(dataDir, "hosp", "prescriptions.csv.gz")).Skip(1).Take(rows / 2))
        {
            Row(RxHeader, $"| {r[6]} | {r[9]} | {r[15]} | {r[16]} | {r[20]} |");
        }

        Flush();
        return records;
    }

    private static IEnumerable<List<string>> ReadCsv(string path)
    {
        using var reader = new StreamReader(new GZipStream(File.OpenRead(path), CompressionMode.Decompress));
        var field = new StringBuilder();
        var row = new List<string>();
        var quoted = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (quoted)
            {
                if (c == '"')
                {
                    if (reader.Peek() == '"')
                    {
                        field.Append('"');
                        reader.Read();
                    }
                    else
                    {
                        quoted = false;
                    }
                }
                else
                {
                    field.Append((char)c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                row.Add(field.ToString());
                field.Clear();
            }
            else if (c == '\n')
            {
                row.Add(field.ToString());
                field.Clear();
                yield return row;
                row = [];
            }
            else if (c != '\r')
            {
                field.Append((char)c);
            }
        }

        if (field.Length > 0 || row.Count > 0)
        {
            row.Add(field.ToString());
            yield return row;
        }
    }
}
