using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Training.Tokenization;

/// <summary>
/// The Qwen3 byte-level BPE tokenizer, read from a Hugging Face <c>tokenizer.json</c>: added tokens are matched
/// first on the raw text, the rest is NFC-normalised, split by the Qwen2 pre-tokenizer regex, mapped byte-wise to
/// the GPT-2 printable alphabet and merged by rank. Thread-safe.
/// </summary>
public sealed partial class Qwen3Tokenizer
{
    public const string ImStart = "<|im_start|>";
    public const string ImEnd = "<|im_end|>";
    public const string EndOfText = "<|endoftext|>";
    public const string ThinkStart = "<think>";
    public const string ThinkEnd = "</think>";

    private const int MaxCachedWords = 200_000;

    private readonly Dictionary<string, int> _vocab;
    private readonly string[] _idToToken;
    private readonly Dictionary<(string, string), int> _mergeRanks;
    private readonly Dictionary<string, int> _added;
    private readonly HashSet<int> _specialIds;
    private readonly Regex? _addedPattern;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly Dictionary<char, byte> CharToByte = ByteToChar.Select((c, i) => (c, (byte)i)).ToDictionary(p => p.c, p => p.Item2);

    private Qwen3Tokenizer(Dictionary<string, int> vocab, Dictionary<(string, string), int> mergeRanks, Dictionary<string, int> added, HashSet<int> specialIds)
    {
        _vocab = vocab;
        _mergeRanks = mergeRanks;
        _added = added;
        _specialIds = specialIds;
        var size = Math.Max(vocab.Count == 0 ? 0 : vocab.Values.Max(), added.Count == 0 ? 0 : added.Values.Max()) + 1;
        _idToToken = new string[size];
        foreach (var (token, id) in vocab)
        {
            _idToToken[id] = token;
        }

        foreach (var (token, id) in added)
        {
            _idToToken[id] = token;
        }

        if (added.Count > 0)
        {
            // Longest first so that a token that is a prefix of another never wins.
            var alternatives = added.Keys.OrderByDescending(k => k.Length).ThenBy(k => k, StringComparer.Ordinal).Select(Regex.Escape);
            _addedPattern = new Regex(string.Join("|", alternatives), RegexOptions.CultureInvariant | RegexOptions.Compiled);
        }
    }

    /// <summary>
    /// False when the process runs in .NET invariant-globalization mode, where NFC normalisation of non-ASCII text
    /// is unavailable (encoding then differs from Hugging Face only for decomposed accents). Hosts set
    /// <c>InvariantGlobalization=false</c>.
    /// </summary>
    public static bool NormalizationAvailable { get; } = string.Equals("e\u0301".Normalize(NormalizationForm.FormC), "\u00e9", StringComparison.Ordinal);

    /// <summary>Number of ids (base vocabulary plus added tokens).</summary>
    public int Count => _idToToken.Length;

    public int ImStartId => _added[ImStart];

    public int ImEndId => _added[ImEnd];

    public int EndOfTextId => _added[EndOfText];

    /// <summary>Loads <c>tokenizer.json</c> from a file or from a folder that holds it.</summary>
    public static Qwen3Tokenizer Load(string path)
    {
        var file = Directory.Exists(path) ? Path.Combine(path, "tokenizer.json") : path;
        if (!File.Exists(file))
        {
            throw new InputDataException("EHR-TRN-010", file, null, null, "tokenizer file does not exist",
                fix: $"Pass --tokenizer DIR (the folder with the Qwen3 tokenizer.json) or set {TokenizerLocations.TokenizerVariable}");
        }

        using var stream = File.OpenRead(file);
        using var doc = JsonDocument.Parse(stream);
        var root = doc.RootElement;
        var model = root.GetProperty("model");
        var type = model.GetProperty("type").GetString();
        if (!string.Equals(type, "BPE", StringComparison.Ordinal))
        {
            throw new InputDataException("EHR-TRN-010", file, null, "model.type", "unsupported tokenizer model", expected: "BPE", found: type);
        }

        var vocab = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var p in model.GetProperty("vocab").EnumerateObject())
        {
            vocab[p.Name] = p.Value.GetInt32();
        }

        var ranks = new Dictionary<(string, string), int>();
        var rank = 0;
        foreach (var m in model.GetProperty("merges").EnumerateArray())
        {
            (string, string) pair;
            if (m.ValueKind == JsonValueKind.Array)
            {
                pair = (m[0].GetString()!, m[1].GetString()!);
            }
            else
            {
                var s = m.GetString()!;
                var space = s.IndexOf(' ', StringComparison.Ordinal);
                pair = (s[..space], s[(space + 1)..]);
            }

            ranks.TryAdd(pair, rank++);
        }

        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        var special = new HashSet<int>();
        if (root.TryGetProperty("added_tokens", out var addedTokens))
        {
            foreach (var a in addedTokens.EnumerateArray())
            {
                var id = a.GetProperty("id").GetInt32();
                added[a.GetProperty("content").GetString()!] = id;
                if (a.TryGetProperty("special", out var sp) && sp.GetBoolean())
                {
                    special.Add(id);
                }
            }
        }

        return new Qwen3Tokenizer(vocab, ranks, added, special);
    }

    /// <summary>Id of a vocabulary or added token, or null.</summary>
    public int? TokenToId(string token) =>
        _added.TryGetValue(token, out var a) ? a : _vocab.TryGetValue(token, out var v) ? v : null;

    /// <summary>The token string (byte-level alphabet) of an id.</summary>
    public string IdToToken(int id) => id >= 0 && id < _idToToken.Length && _idToToken[id] is { } t ? t
        : throw new ArgumentOutOfRangeException(nameof(id), id, "Token id outside the vocabulary.");

    /// <summary>Encodes text; added-token text (e.g. <c>&lt;|im_start|&gt;</c>, <c>&lt;think&gt;</c>) becomes its single id.</summary>
    public List<int> Encode(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (_addedPattern is null)
        {
            EncodeOrdinary(text, ids);
            return ids;
        }

        var pos = 0;
        foreach (Match m in _addedPattern.Matches(text))
        {
            if (m.Index > pos)
            {
                EncodeOrdinary(text[pos..m.Index], ids);
            }

            ids.Add(_added[m.Value]);
            pos = m.Index + m.Length;
        }

        if (pos < text.Length)
        {
            EncodeOrdinary(text[pos..], ids);
        }

        return ids;
    }

    /// <summary>Decodes ids to text; special tokens are kept unless <paramref name="skipSpecialTokens"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool skipSpecialTokens = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var bytes = new List<byte>();
        foreach (var id in ids)
        {
            if (skipSpecialTokens && _specialIds.Contains(id))
            {
                continue;
            }

            var token = IdToToken(id);
            if (_added.ContainsKey(token))
            {
                bytes.AddRange(Encoding.UTF8.GetBytes(token));
                continue;
            }

            foreach (var c in token)
            {
                if (CharToByte.TryGetValue(c, out var b))
                {
                    bytes.Add(b);
                }
            }
        }

        return Encoding.UTF8.GetString([.. bytes]);
    }

    private void EncodeOrdinary(string text, List<int> ids)
    {
        var normalized = text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        foreach (Match piece in PreTokenizer().Matches(normalized))
        {
            if (_cache.TryGetValue(piece.Value, out var cached))
            {
                ids.AddRange(cached);
                continue;
            }

            var result = Bpe(piece.Value);
            if (_cache.Count < MaxCachedWords)
            {
                _cache.TryAdd(piece.Value, result);
            }

            ids.AddRange(result);
        }
    }

    private int[] Bpe(string piece)
    {
        var utf8 = Encoding.UTF8.GetBytes(piece);
        var symbols = new List<string>(utf8.Length);
        foreach (var b in utf8)
        {
            symbols.Add(ByteToChar[b].ToString());
        }

        while (symbols.Count > 1)
        {
            var bestRank = int.MaxValue;
            var bestAt = -1;
            for (var i = 0; i < symbols.Count - 1; i++)
            {
                if (_mergeRanks.TryGetValue((symbols[i], symbols[i + 1]), out var r) && r < bestRank)
                {
                    bestRank = r;
                    bestAt = i;
                }
            }

            if (bestAt < 0)
            {
                break;
            }

            // Merge every occurrence of the best pair, left to right.
            var (left, right) = (symbols[bestAt], symbols[bestAt + 1]);
            var merged = new List<string>(symbols.Count);
            for (var i = 0; i < symbols.Count; i++)
            {
                if (i < symbols.Count - 1 && string.Equals(symbols[i], left, StringComparison.Ordinal) && string.Equals(symbols[i + 1], right, StringComparison.Ordinal))
                {
                    merged.Add(left + right);
                    i++;
                }
                else
                {
                    merged.Add(symbols[i]);
                }
            }

            symbols = merged;
        }

        var result = new int[symbols.Count];
        for (var i = 0; i < symbols.Count; i++)
        {
            if (!_vocab.TryGetValue(symbols[i], out result[i]))
            {
                throw new InvalidOperationException($"Byte-level symbol {i} of a piece has no vocabulary id; the tokenizer file is inconsistent.");
            }
        }

        return result;
    }

    /// <summary>GPT-2's reversible byte → printable character map.</summary>
    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        var assigned = new bool[256];
        for (var b = 0; b < 256; b++)
        {
            if (b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF)
            {
                map[b] = (char)b;
                assigned[b] = true;
            }
        }

        var next = 0;
        for (var b = 0; b < 256; b++)
        {
            if (!assigned[b])
            {
                map[b] = (char)(256 + next++);
            }
        }

        return map;
    }

    [GeneratedRegex(@"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+", RegexOptions.CultureInvariant)]
    private static partial Regex PreTokenizer();
}
