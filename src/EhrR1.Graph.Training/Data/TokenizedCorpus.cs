using System.Buffers.Binary;
using System.Globalization;
using System.IO.Hashing;
using System.IO.MemoryMappedFiles;
using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Training.Tokenization;
using Microsoft.Extensions.Logging;

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
/// Layout (little-endian): magic and format version <c>EHRTOK02</c>, example count (int64), token count (int64),
/// truncated (int32), dropped (int32), key (32 bytes), XxHash64 of the body (8 bytes), XxHash64 of the 72 header bytes
/// before it (8 bytes); then the body: token ids (int32 × tokens), offsets (int64 × (count + 1)), prompt lengths
/// (int32 × count). Opening checks both checksums and the length: a damaged or cut-short cache is an
/// <see cref="InputDataException"/> (EHR-TRN-050) that names the file; a cache of an older format (<c>EHRTOK01</c>,
/// no checksums) is stale and tokenized afresh.
/// </summary>
public sealed class TokenizedCorpus : ITokenizedExamples, IDisposable
{
    private const int HeaderSize = 80;
    private const int Version = 2;
    private const int BodyChecksumAt = 64;
    private const int HeaderChecksumAt = 72;
    private const string DamagedCode = "EHR-TRN-050";
    private static readonly byte[] MagicPrefix = "EHRTOK"u8.ToArray();
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
    /// <exception cref="InputDataException">The cache file exists but is damaged or cut short (EHR-TRN-050).</exception>
    public static TokenizedCorpus Open(string dataPath, SftEncoder encoder, string tokenizerDirectory, string cacheDirectory, ILogger logger, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        ArgumentNullException.ThrowIfNull(logger);
        var key = CacheKey(dataPath, encoder, tokenizerDirectory);
        var path = System.IO.Path.Combine(cacheDirectory, Convert.ToHexStringLower(key.AsSpan(0, 12)) + ".tokens");
        if (TryOpen(path, key, reused: true, logger) is { } existing)
        {
            return existing;
        }

        Directory.CreateDirectory(cacheDirectory);
        AtomicFile.Write(path, stream => Write(stream, EhrInsCorpus.Encode(dataPath, encoder, cancellationToken), key));
        return TryOpen(path, key, reused: false, logger)
            ?? throw new InvalidDataException("the token cache " + path + " could not be read back after writing it; delete it and rerun.");
    }

    public void Dispose()
    {
        _view.Dispose();
        _file.Dispose();
    }

    private static void Write(Stream output, IEnumerable<SftExample?> examples, byte[] key)
    {
        output.Write(new byte[HeaderSize]);
        using var stream = new ChecksumStream(output);
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
        var bodyChecksum = stream.Checksum;
        var header = new byte[HeaderSize];
        MagicPrefix.CopyTo(header, 0);
        Encoding.ASCII.GetBytes(Version.ToString("D2", CultureInfo.InvariantCulture), header.AsSpan(MagicPrefix.Length));
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(8), promptLengths.Count);
        BinaryPrimitives.WriteInt64LittleEndian(header.AsSpan(16), tokens);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(24), truncated);
        BinaryPrimitives.WriteInt32LittleEndian(header.AsSpan(28), dropped);
        key.CopyTo(header, 32);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(BodyChecksumAt), bodyChecksum);
        BinaryPrimitives.WriteUInt64LittleEndian(header.AsSpan(HeaderChecksumAt), XxHash64.HashToUInt64(header.AsSpan(0, HeaderChecksumAt)));
        output.Position = 0;
        output.Write(header);
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

    /// <summary>
    /// The cache at <paramref name="path"/> when it holds <paramref name="key"/>'s corpus; null when there is none, when
    /// it is of an older format (logged) or made from other inputs (a name collision): the caller tokenizes afresh.
    /// </summary>
    private static TokenizedCorpus? TryOpen(string path, byte[] key, bool reused, ILogger logger)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        var header = new byte[HeaderSize];
        long size;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1))
        {
            size = stream.Length;
            var read = stream.ReadAtLeast(header, HeaderSize, throwOnEndOfStream: false);
            if (read < MagicPrefix.Length + 2 || !header.AsSpan(0, MagicPrefix.Length).SequenceEqual(MagicPrefix)
                || !int.TryParse(Encoding.ASCII.GetString(header, MagicPrefix.Length, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var version))
            {
                throw Damaged(path, "it does not start with the token cache's magic (EHRTOK and a format version)", $"{size} bytes");
            }

            if (version < Version)
            {
                logger.LogInformation("Token cache {Path} is of format {Old}, before checksums (now {Version}); tokenizing afresh.", path, version, Version);
                return null;
            }

            if (version > Version)
            {
                throw Damaged(path, $"it is of format {version}, written by a newer build (this build reads {Version})", null);
            }

            if (read < HeaderSize)
            {
                throw Damaged(path, $"it is cut short: {size} bytes, shorter than the {HeaderSize}-byte header", null);
            }

            if (XxHash64.HashToUInt64(header.AsSpan(0, HeaderChecksumAt)) != BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(HeaderChecksumAt)))
            {
                throw Damaged(path, "its header fails its XxHash64 checksum", null);
            }

            if (!header.AsSpan(32, 32).SequenceEqual(key))
            {
                // Other inputs under a colliding name: tokenize afresh over it.
                return null;
            }

            var headerCount = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
            var headerTokens = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
            var expected = HeaderSize + (headerTokens * 4) + ((headerCount + 1) * 8) + (headerCount * 4);
            if (headerCount is < 0 or > int.MaxValue || headerTokens < 0 || size != expected)
            {
                throw Damaged(path, $"it is {size} bytes, not the {expected} its header describes (cut short or appended to)", null);
            }

            if (BodyChecksum(stream) != BinaryPrimitives.ReadUInt64LittleEndian(header.AsSpan(BodyChecksumAt)))
            {
                throw Damaged(path, "its token ids, offsets or prompt lengths fail their XxHash64 checksum", null);
            }
        }

        var count = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(8));
        var tokens = BinaryPrimitives.ReadInt64LittleEndian(header.AsSpan(16));
        var file = MemoryMappedFile.CreateFromFile(path, FileMode.Open, null, 0, MemoryMappedFileAccess.Read);
        MemoryMappedViewAccessor? view = null;
        try
        {
            view = file.CreateViewAccessor(0, size, MemoryMappedFileAccess.Read);
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

    /// <summary>XxHash64 of everything after the header, read in 1 MiB blocks.</summary>
    private static ulong BodyChecksum(FileStream stream)
    {
        var hash = new XxHash64();
        var buffer = new byte[1 << 20];
        stream.Position = HeaderSize;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            hash.Append(buffer.AsSpan(0, n));
        }

        return hash.GetCurrentHashAsUInt64();
    }

    private static InputDataException Damaged(string path, string problem, string? found) =>
        new(DamagedCode, path, null, null, "the token cache is damaged: " + problem, found: found,
            fix: "Delete this file and rerun: train tokenizes the training data into it afresh");

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
