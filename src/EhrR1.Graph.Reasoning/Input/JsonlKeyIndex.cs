using System.Buffers;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Reasoning.Input;

/// <summary>
/// Random access to a JSONL file by a string key: one pass records the byte offset of each line's key, later
/// lookups read just that line. Lets a 300k-sample join (evidence, batch metadata, samples for the corpus) run
/// in memory proportional to the number of keys, not to the text. The first line wins for a repeated key.
/// </summary>
public sealed class JsonlKeyIndex : IDisposable
{
    private readonly Dictionary<string, long> _offsets;
    private readonly FileStream _stream;
    private readonly Lock _gate = new();

    private JsonlKeyIndex(string path, Dictionary<string, long> offsets)
    {
        Path = path;
        _offsets = offsets;
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
    }

    public string Path { get; }

    public int Count => _offsets.Count;

    public IEnumerable<string> Keys => _offsets.Keys;

    /// <summary>Indexes <paramref name="path"/>; <paramref name="keyOf"/> extracts the key from a parsed line (null = skip it).</summary>
    public static JsonlKeyIndex Build(string path, Func<JsonElement, long, string?> keyOf, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(keyOf);
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-IO-001", path, null, null, "the file does not exist", fix: "Check the path, or run the stage that produces it first");
        }

        var offsets = new Dictionary<string, long>(StringComparer.Ordinal);
        JsonlLines.Scan(path, (line, lineNumber, start, _) => Add(path, line, start, lineNumber, keyOf, offsets), cancellationToken);
        return new JsonlKeyIndex(path, offsets);
    }

    /// <summary>Reads the line for <paramref name="key"/>; the caller disposes the document.</summary>
    public JsonDocument? TryRead(string key)
    {
        if (!_offsets.TryGetValue(key, out var offset))
        {
            return null;
        }

        lock (_gate)
        {
            _stream.Position = offset;
            var line = new ArrayBufferWriter<byte>(4096);
            var one = new byte[8192];
            while (true)
            {
                var n = _stream.Read(one, 0, one.Length);
                if (n == 0)
                {
                    break;
                }

                var nl = one.AsSpan(0, n).IndexOf((byte)'\n');
                if (nl >= 0)
                {
                    line.Write(one.AsSpan(0, nl));
                    break;
                }

                line.Write(one.AsSpan(0, n));
            }

            return JsonDocument.Parse(line.WrittenMemory);
        }
    }

    public bool Contains(string key) => _offsets.ContainsKey(key);

    public void Dispose() => _stream.Dispose();

    private static void Add(string path, ReadOnlySpan<byte> line, long offset, long lineNumber, Func<JsonElement, long, string?> keyOf, Dictionary<string, long> offsets)
    {
        if (line.Trim((byte)' ').IsEmpty || line.SequenceEqual("\r"u8))
        {
            return;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(line.ToArray());
        }
        catch (JsonException ex)
        {
            throw new InputDataException("EHR-IO-003", path, lineNumber, null, "the line is not a valid JSON record", expected: "one JSON object per line",
                found: "a JSON error at byte " + (ex.BytePositionInLine ?? 0).ToString(System.Globalization.CultureInfo.InvariantCulture), innerException: ex);
        }

        using (doc)
        {
            if (keyOf(doc.RootElement, lineNumber) is { } key)
            {
                offsets.TryAdd(key, offset);
            }
        }
    }

}
