using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.SafeTensors;

/// <summary>
/// One <c>.safetensors</c> file opened for reading: the header is parsed up front, tensor data is read on demand
/// with positioned reads (one tensor in memory at a time), so multi-GB shards stream.
/// Format: 8-byte little-endian header length N, N bytes of JSON
/// (<c>{"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {...}}</c>), then raw tensor bytes.
/// </summary>
public sealed class SafeTensorsFile : IDisposable
{
    private const long MaxHeaderBytes = 100L * 1024 * 1024;
    private readonly FileStream _stream;
    private readonly long _dataStart;

    private SafeTensorsFile(string path, FileStream stream, long dataStart, Dictionary<string, SafeTensorEntry> entries, Dictionary<string, string> metadata)
    {
        Path = path;
        _stream = stream;
        _dataStart = dataStart;
        Entries = entries;
        Metadata = metadata;
    }

    public string Path { get; }

    public IReadOnlyDictionary<string, SafeTensorEntry> Entries { get; }

    public IReadOnlyDictionary<string, string> Metadata { get; }

    public static SafeTensorsFile Open(string path)
    {
        var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.RandomAccess);
        try
        {
            Span<byte> lenBytes = stackalloc byte[8];
            if (stream.Read(lenBytes) != 8)
            {
                throw Bad(path, "file is shorter than the 8-byte header length");
            }

            var headerLength = BinaryPrimitives.ReadInt64LittleEndian(lenBytes);
            if (headerLength <= 0 || headerLength > MaxHeaderBytes || 8 + headerLength > stream.Length)
            {
                throw Bad(path, $"header length {headerLength} is out of range for a file of {stream.Length} bytes");
            }

            var header = new byte[headerLength];
            stream.ReadExactly(header);
            var dataStart = 8 + headerLength;
            var dataLength = stream.Length - dataStart;
            var entries = new Dictionary<string, SafeTensorEntry>(StringComparer.Ordinal);
            var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            using var doc = JsonDocument.Parse(header);
            foreach (var prop in doc.RootElement.EnumerateObject())
            {
                if (prop.NameEquals("__metadata__"))
                {
                    foreach (var m in prop.Value.EnumerateObject())
                    {
                        metadata[m.Name] = m.Value.GetString() ?? string.Empty;
                    }

                    continue;
                }

                var dtype = prop.Value.GetProperty("dtype").GetString() ?? string.Empty;
                var shape = prop.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var offsets = prop.Value.GetProperty("data_offsets").EnumerateArray().Select(e => e.GetInt64()).ToArray();
                var entry = new SafeTensorEntry(prop.Name, SafeTensorDtypes.Parse(dtype, path, prop.Name), shape, offsets[0], offsets[1]);
                if (entry.Begin < 0 || entry.End < entry.Begin || entry.End > dataLength || entry.End - entry.Begin != entry.ByteCount)
                {
                    throw Bad(path, $"tensor '{prop.Name}' has data_offsets [{entry.Begin}, {entry.End}] that do not match its shape and dtype or the file size");
                }

                entries[prop.Name] = entry;
            }

            return new SafeTensorsFile(path, stream, dataStart, entries, metadata);
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException)
        {
            stream.Dispose();
            throw new InputDataException("EHR-TRN-002", path, null, null, "safetensors header is malformed", found: ex.Message, innerException: ex);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>Reads one tensor into a new CPU tensor of its stored dtype.</summary>
    public Tensor Read(string name)
    {
        if (!Entries.TryGetValue(name, out var entry))
        {
            throw new KeyNotFoundException($"Tensor '{name}' is not in {Path}.");
        }

        var result = empty(entry.Shape, dtype: entry.Dtype);
        try
        {
            var target = result.bytes;
            if (target.Length != entry.ByteCount)
            {
                throw new InvalidDataException($"Tensor '{name}': expected {entry.ByteCount} bytes, tensor holds {target.Length}.");
            }

            long done = 0;
            var buffer = new byte[(int)Math.Min(entry.ByteCount, 1 << 24)];
            while (done < entry.ByteCount)
            {
                var n = (int)Math.Min(buffer.Length, entry.ByteCount - done);
                RandomAccess.Read(_stream.SafeFileHandle, buffer.AsSpan(0, n), _dataStart + entry.Begin + done);
                buffer.AsSpan(0, n).CopyTo(target.Slice((int)done, n));
                done += n;
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    public void Dispose() => _stream.Dispose();

    private static InputDataException Bad(string path, string problem) =>
        new("EHR-TRN-002", path, null, null, problem, fix: "The file is not a valid safetensors file; re-export it");

    /// <summary>Writes tensors (in the given order) to <paramref name="path"/> atomically.</summary>
    public static void Write(string path, IEnumerable<(string Name, Tensor Tensor)> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        var list = tensors.ToList();
        var header = new Dictionary<string, object>(StringComparer.Ordinal);
        if (metadata is { Count: > 0 })
        {
            header["__metadata__"] = metadata;
        }

        long offset = 0;
        foreach (var (name, t) in list)
        {
            var bytes = t.NumberOfElements * t.ElementSize;
            header[name] = new Dictionary<string, object>(StringComparer.Ordinal)
            {
                ["dtype"] = SafeTensorDtypes.Name(t.dtype),
                ["shape"] = t.shape,
                ["data_offsets"] = new[] { offset, offset + bytes },
            };
            offset += bytes;
        }

        var json = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(header));
        var padded = (json.Length + 7) / 8 * 8;
        var temp = path + ".tmp";
        using (var fs = new FileStream(temp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> len = stackalloc byte[8];
            BinaryPrimitives.WriteInt64LittleEndian(len, padded);
            fs.Write(len);
            fs.Write(json);
            for (var i = json.Length; i < padded; i++)
            {
                fs.WriteByte((byte)' ');
            }

            foreach (var (_, t) in list)
            {
                using var cpu = t.detach().cpu().contiguous();
                fs.Write(cpu.bytes);
            }

            fs.Flush(flushToDisk: true);
        }

        File.Move(temp, path, overwrite: true);
    }
}
