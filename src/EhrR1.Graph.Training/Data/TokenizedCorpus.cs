using System.Buffers.Binary;
using System.Globalization;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Data;

/// <summary>
/// A tokenized corpus kept on disk and read through a memory-mapped view, so that training memory does not grow
/// with the corpus: only the per-example offsets and prompt lengths (12 bytes an example) live in the heap; token ids
/// are copied out one batch at a time.
/// <para>
/// The cache file is written once per (corpus content, tokenizer files, max length, truncation mode, head tokens,
/// Unicode normalisation, format version): its name is a digest of all of them, so a changed input or setting
/// tokenizes afresh and an unchanged one (e.g. a resumed run) reuses it. It is written to a temporary file and
/// renamed when complete, so a killed run never leaves a cache that looks valid.
/// </para>
/// Layout (little-endian): magic <c>EHRTOK01</c>, example count (int64), token count (int64), truncated (int32),
/// dropped (int32), key (32 bytes), token ids (int32 × tokens), offsets (int64 × (count + 1)), prompt lengths
/// (int32 × count).
/// </summary>
public sealed class TokenizedCorpus : ITokenizedExamples, IDisposable
{
    private const int HeaderSize = 64;
    private static readonly byte[] Magic = "EHRTOK01"u8.ToArray();
    private static readonly string[] TokenizerFiles = ["tokenizer.json", "tokenizer_config.json", "vocab.json", "merges.txt", "special_tokens_map.json", "added_tokens.json"];
    private readonly MemoryMappedFile _file;
    private readonly MemoryMappedViewAccessor _view;
    private readonly long[] _offsets;
    private readonly int[] _promptLengths;

    private TokenizedCorpus(string path, MemoryMappedFile file, MemoryMappedViewAccessor view, long[] offsets, int[] promptLengths, int truncated, int dropped, bool reused)
    {
        Path = path;
        _file = file;
        _view = view;
        _offsets = offsets;
        _promptLengths = promptLengths;
        Truncated = truncated;
        Dropped = dropped;
        Reused = reused;
        var lengths = new int[promptLengths.Length];
        for (var i = 0; i < lengths.Length; i++)
        {
            lengths[i] = (int)(offsets[i + 1] - offsets[i]);
        }

        Lengths = lengths;
    }

    /// <summary>The cache file.</summary>
    public string Path { get; }

    public int Count => _promptLengths.Length;

    public int Truncated { get; }

    public int Dropped { get; }

    /// <summary>True when an existing cache file was opened instead of tokenizing.</summary>
    public bool Reused { get; }

    /// <summary>Token count of each example (from the offsets), for length bucketing.</summary>
    public IReadOnlyList<int> Lengths { get; }

    public int Length(int index) => Lengths[index];

    public int PromptLength(int index) => _promptLengths[index];

    /// <summary>Number of answer tokens whose prediction is scored.</summary>
    public int CompletionTokens(int index) => Lengths[index] - _promptLengths[index];

    /// <summary>Copies the token ids of one example out of the mapped file.</summary>
    public int[] Tokens(int index)
    {
        var ids = new int[Lengths[index]];
        _view.ReadArray(HeaderSize + (_offsets[index] * sizeof(int)), ids, 0, ids.Length);
        return ids;
    }

    /// <summary>
    /// Opens the cache for <paramref name="dataPath"/> under <paramref name="cacheDirectory"/>, tokenizing the corpus
    /// into it first when no cache for these inputs and settings exists.
    /// </summary>
    public static TokenizedCorpus Open(string dataPath, SftEncoder encoder, string tokenizerDirectory, string cacheDirectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        var key = CacheKey(dataPath, encoder, tokenizerDirectory);
        var path = System.IO.Path.Combine(cacheDirectory, Convert.ToHexStringLower(key.AsSpan(0, 12)) + ".tokens");
        if (TryOpen(path, key, reused: true) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(cacheDirectory);
        AtomicFile.Write(path, stream => Write(stream, EhrInsCorpus.Encode(dataPath, encoder, cancellationToken), key));
        return TryOpen(path, key, reused: false)
            ?? throw new InvalidDataException("the token cache " + path + " could not be read back after writing it; delete it and rerun.");
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }

    private static void Write(Stream stream, IEnumerable<SftExample?> examples, byte[] key)
    {
        stream.Write(new byte[HeaderSize]);
        var offsets = new List<long> { 0 };
        var promptLengths = new List<int>();
        int truncated = 0, dropped = 0;
        long tokens = 0;
        var buffer = new byte[1 << 16];
        foreach (var example in examples)
        {
            if (example is null)
            {
                dropped++;
                continue;
            }

            truncated += example.Truncated ? 1 : 0;
            WriteInts(stream, example.InputIds, buffer);
            tokens += example.InputIds.Length;
            offsets.Add(tokens);
            promptLengths.Add(example.PromptLength);
        }

        Span<byte> b = stackalloc byte[8];
        foreach (var offset in offsets)
        {
            BinaryPrimitives.WriteInt64LittleEndian(b, offset);
            stream.Write(b);
        }

        WriteInts(stream, promptLengths, buffer);
        var header = new byte[HeaderSize];
        Magic.CopyTo(header, 0);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), promptLengths.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), tokens);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), truncated);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), dropped);
        key.CopyTo(header, 32);
        stream.Position = 0;
        stream.Write(header);
    }

    private static void WriteInts(Stream stream, IReadOnlyList<int> values, byte[] buffer)
    {
        var used = 0;
        foreach (var v in values)
        {
            if (used + 4 > buffer.Length)
            {
                stream.Write(buffer, 0, used);
                used = 0;
            }

            BinaryPrimitives.WriteInt32LittleEndian(buffer.AsSpan(used), v);
            used += 4;
        }

        stream.Write(buffer, 0, used);
    }

    private static TokenizedCorpus? TryOpen(string path, byte[] key, bool reused)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var size = new FileInfo(path).Length;
        if (size < HeaderSize)
        {
            return null;
        }

        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
            var header = new byte[HeaderSize];
            view.ReadArray(0, header, 0, HeaderSize);
            var count = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
            var tokens = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
            if (!header.AsSpan(0, 8).SequenceEqual(Magic) || !header.AsSpan(32, 32).SequenceEqual(key)
                || count < 0 || tokens < 0 || count > int.MaxValue
                || size != HeaderSize + (tokens * 4) + ((count + 1) * 8) + (count * 4))
            {
                // Another format, other inputs under a colliding name, or a damaged file: tokenize afresh.
                view.Dispose();
                file.Dispose();
                return null;
            }

            var offsets = new long[count + 1];
            view.ReadArray(HeaderSize + (tokens * 4), offsets, 0, offsets.Length);
            var promptLengths = new int[count];
            view.ReadArray(HeaderSize + (tokens * 4) + ((count + 1) * 8), promptLengths, 0, promptLengths.Length);
            return new TokenizedCorpus(path, file, view, offsets, promptLengths,
                BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(24)), BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(28)), reused);
        }
        catch
        {
            view?.Dispose();
            file.Dispose();
            throw;
        }
    }

    private static byte[] CacheKey(string dataPath, SftEncoder encoder, string tokenizerDirectory)
    {
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        void Add(string text) => sha.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
        Add("ehr-r1 token cache v1");
        Add(string.Create(CultureInfo.InvariantCulture, $"max_length={encoder.MaxLength} truncation={encoder.Mode} head_tokens={encoder.HeadTokens} nfc={Qwen3Tokenizer.NormalizationAvailable}"));
        if (File.Exists(dataPath))
        {
            Add("corpus=" + Convert.ToHexStringLower(FileDigest(dataPath)));
        }

        var files = File.Exists(tokenizerDirectory) ? [tokenizerDirectory] : TokenizerFiles.Select(n => System.IO.Path.Combine(tokenizerDirectory, n));
        foreach (var file in files)
        {
            var name = System.IO.Path.GetFileName(file);
            if (File.Exists(file))
            {
                Add(name + "=" + Convert.ToHexStringLower(FileDigest(file)));
            }
        }

        return sha.GetHashAndReset();
    }

    private static byte[] FileDigest(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return SHA256.HashData(stream);
    }
}
