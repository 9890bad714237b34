using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Training.Tokenization;

/// <summary>
/// The Qwen3 byte-level BPE tokenizer, read from a Hugging Face <c>tokenizer.json</c>: added tokens are matched
/// first on the raw text, the rest has lone surrogates replaced by U+FFFD (as Rust and JS strings hold them), is
/// NFC-normalised, split by the Qwen2 pre-tokenizer (<see cref="Qwen3PreTokenizer"/>, by code point), mapped
/// byte-wise to the GPT-2 printable alphabet and merged by rank. Any string encodes. Thread-safe.
/// </summary>
public sealed class Qwen3Tokenizer
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
        var normalized = Nfc(ReplaceLoneSurrogates(text));
        var cache = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        for (var start = 0; start < normalized.Length;)
        {
            var piece = normalized.AsSpan(start, Qwen3PreTokenizer.NextPiece(normalized, start));
            start += piece.Length;
            if (cache.TryGetValue(piece, out var cached))
            {
                ids.AddRange(cached);
                continue;
            }

            var result = Bpe(piece);
            if (_cache.Count < MaxCachedWords)
            {
                cache.TryAdd(piece, result);
            }

            ids.AddRange(result);
        }
    }

    /// <summary>
    /// Lone (unpaired) surrogates become U+FFFD REPLACEMENT CHARACTER, which is what a Rust or JS string holds where
    /// the UTF-16 had one; the text is otherwise returned as is.
    /// </summary>
    internal static string ReplaceLoneSurrogates(string text)
    {
        var first = text.AsSpan().IndexOfAnyInRange('\uD800', '\uDFFF');
        if (first < 0)
        {
            return text;
        }

        char[]? copy = null;
        for (var i = first; i < text.Length; i++)
        {
            if (!char.IsSurrogate(text[i]))
            {
                continue;
            }

            if (char.IsHighSurrogate(text[i]) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }

            copy ??= text.ToCharArray();
            copy[i] = '\uFFFD';
        }

        return copy is null ? text : new string(copy);
    }

    /// <summary>
    /// NFC. .NET refuses to normalise a string that holds U+FFFE or U+FFFF (<see cref="ArgumentException"/>); these
    /// noncharacters never decompose or compose, so the runs between them are normalised apart and the
    /// noncharacters kept as they are.
    /// </summary>
    internal static string Nfc(string text)
    {
        if (text.AsSpan().IndexOfAny('\uFFFE', '\uFFFF') < 0)
        {
            return text.IsNormalized(NormalizationForm.FormC) ? text : text.Normalize(NormalizationForm.FormC);
        }

        var result = new StringBuilder(text.Length);
        var start = 0;
        for (var i = 0; i <= text.Length; i++)
        {
            if (i == text.Length || text[i] is '\uFFFE' or '\uFFFF')
            {
                var run = text[start..i];
                result.Append(run.IsNormalized(NormalizationForm.FormC) ? run : run.Normalize(NormalizationForm.FormC));
                if (i < text.Length)
                {
                    result.Append(text[i]);
                }

                start = i + 1;
            }
        }

        return result.ToString();
    }

    private int[] Bpe(ReadOnlySpan<char> piece)
    {
        var utf8 = new byte[Encoding.UTF8.GetByteCount(piece)];
        Encoding.UTF8.GetBytes(piece, utf8);
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
}
