using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Trajectories.Model;
using Microsoft.Win32.SafeHandles;

namespace EhrR1.Graph.Trajectories.Store;

/// <summary>
/// Read access to a trajectory store folder written by <c>ehr-graph ingest</c> (format in docs/formats.md):
/// the subject index is loaded at open (32 bytes per patient), one patient is read with a single positioned
/// read plus a Brotli decode, and <see cref="ReadAll"/> streams patients in ascending subject order.
/// Thread-safe for concurrent readers.
/// </summary>
public sealed class TrajectoryStore : ITrajectoryStore
{
    private readonly SafeFileHandle _data;
    private readonly long[] _subjects;
    private readonly long[] _offsets;
    private readonly int[] _compressedLengths;
    private readonly int[] _rawLengths;
    private readonly int[] _eventCounts;
    private readonly int[] _rowCounts;
    private readonly TableLayout[] _tables;

    private TrajectoryStore(string path, StoreSchema schema, SafeFileHandle data, long[] subjects, long[] offsets, int[] compressed, int[] raw, int[] events, int[] rows)
    {
        Path = path;
        Schema = schema;
        _data = data;
        _subjects = subjects;
        _offsets = offsets;
        _compressedLengths = compressed;
        _rawLengths = raw;
        _eventCounts = events;
        _rowCounts = rows;
        _tables = schema.Tables.Select(t => new TableLayout(t.Name, [.. t.Columns], [.. t.Lists])).ToArray();
        SubjectIds = Array.AsReadOnly(subjects);
    }

    /// <summary>The store folder.</summary>
    public string Path { get; }

    /// <summary>The table layouts.</summary>
    public StoreSchema Schema { get; }

    /// <inheritdoc />
    public IReadOnlyList<long> SubjectIds { get; }

    /// <summary>Total number of events over all patients.</summary>
    public long EventCount => _eventCounts.Sum(x => (long)x);

    /// <summary>Total number of rows over all patients.</summary>
    public long RowCount => _rowCounts.Sum(x => (long)x);

    /// <summary>Opens a store folder. Throws <see cref="InputDataException"/> when it is not a complete store.</summary>
    public static TrajectoryStore Open(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var dir = System.IO.Path.GetFullPath(path);
        var indexPath = System.IO.Path.Combine(dir, StoreFiles.Index);
        var dataPath = System.IO.Path.Combine(dir, StoreFiles.Data);
        if (!File.Exists(indexPath) || !File.Exists(dataPath) || !File.Exists(System.IO.Path.Combine(dir, StoreSchema.FileName)))
        {
            throw new InputDataException(
                "EHR-STORE-001", dir, null, null, "Not a trajectory store (index.bin, trajectories.dat or schema.json is missing)",
                fix: "Build one with: ehr-graph ingest --mimic DIR --out STORE");
        }

        StoreSchema schema;
        try
        {
            schema = StoreSchema.Load(dir);
        }
        catch (InvalidDataException ex)
        {
            throw new InputDataException("EHR-STORE-002", System.IO.Path.Combine(dir, StoreSchema.FileName), null, null, ex.Message, innerException: ex);
        }

        var bytes = File.ReadAllBytes(indexPath);
        if (bytes.Length < 16 || !bytes.AsSpan(0, 8).SequenceEqual(StoreFiles.IndexMagic))
        {
            throw new InputDataException("EHR-STORE-002", indexPath, null, null, "Not a trajectory store index", "the EHRIDX01 header", fix: "Re-run ehr-graph ingest --force");
        }

        var n = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        if (n < 0 || 16 + (n * StoreFiles.IndexEntrySize) != bytes.Length)
        {
            throw new InputDataException("EHR-STORE-002", indexPath, null, null, "The index is truncated or incomplete",
                $"{16 + (n * StoreFiles.IndexEntrySize)} bytes", $"{bytes.Length} bytes", "Re-run ehr-graph ingest --force");
        }

        var count = (int)n;
        var subjects = new long[count];
        var offsets = new long[count];
        var compressed = new int[count];
        var raw = new int[count];
        var events = new int[count];
        var rows = new int[count];
        var span = bytes.AsSpan(16);
        for (var i = 0; i < count; i++)
        {
            var e = span.Slice(i * StoreFiles.IndexEntrySize, StoreFiles.IndexEntrySize);
            subjects[i] = BinaryPrimitives.ReadInt64LittleEndian(e);
            offsets[i] = BinaryPrimitives.ReadInt64LittleEndian(e[8..]);
            compressed[i] = BinaryPrimitives.ReadInt32LittleEndian(e[16..]);
            raw[i] = BinaryPrimitives.ReadInt32LittleEndian(e[20..]);
            events[i] = BinaryPrimitives.ReadInt32LittleEndian(e[24..]);
            rows[i] = BinaryPrimitives.ReadInt32LittleEndian(e[28..]);
        }

        var handle = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        return new TrajectoryStore(dir, schema, handle, subjects, offsets, compressed, raw, events, rows);
    }

    /// <summary>True when the store holds the subject.</summary>
    public bool Contains(long subjectId) => Array.BinarySearch(_subjects, subjectId) >= 0;

    /// <summary>The number of events of a subject (without decoding it), or -1 when absent.</summary>
    public int EventCountOf(long subjectId)
    {
        var i = Array.BinarySearch(_subjects, subjectId);
        return i >= 0 ? _eventCounts[i] : -1;
    }

    /// <inheritdoc />
    public bool TryRead(long subjectId, out PatientTrajectory trajectory)
    {
        var i = Array.BinarySearch(_subjects, subjectId);
        if (i < 0)
        {
            trajectory = null!;
            return false;
        }

        trajectory = ReadAt(i);
        return true;
    }

    /// <summary>Reads one patient or throws <see cref="KeyNotFoundException"/>.</summary>
    public PatientTrajectory Read(long subjectId) =>
        TryRead(subjectId, out var t) ? t : throw new KeyNotFoundException($"Subject {subjectId} is not in the store {Path}.");

    /// <inheritdoc />
    public IEnumerable<PatientTrajectory> ReadAll(CancellationToken cancellationToken = default) => ReadAllCore(cancellationToken);

    private IEnumerable<PatientTrajectory> ReadAllCore(CancellationToken cancellationToken)
    {
        // Blocks are contiguous in subject order: read them sequentially through a large buffered stream.
        using var fs = new FileStream(System.IO.Path.Combine(Path, StoreFiles.Data), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        var comp = ArrayPool<byte>.Shared.Rent(1 << 16);
        var raw = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            for (var i = 0; i < _subjects.Length; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                EnsureSize(ref comp, _compressedLengths[i]);
                EnsureSize(ref raw, _rawLengths[i]);
                fs.Position = _offsets[i];
                fs.ReadExactly(comp, 0, _compressedLengths[i]);
                Decompress(i, comp, raw);
                yield return Decode(_subjects[i], raw.AsSpan(0, _rawLengths[i]), _eventCounts[i]);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(comp);
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    /// <inheritdoc />
    public void Dispose() => _data.Dispose();

    private PatientTrajectory ReadAt(int i)
    {
        var comp = ArrayPool<byte>.Shared.Rent(_compressedLengths[i]);
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(1, _rawLengths[i]));
        try
        {
            var read = RandomAccess.Read(_data, comp.AsSpan(0, _compressedLengths[i]), _offsets[i]);
            if (read != _compressedLengths[i])
            {
                throw Corrupt(i, "the data file is shorter than the index says");
            }

            Decompress(i, comp, raw);
            return Decode(_subjects[i], raw.AsSpan(0, _rawLengths[i]), _eventCounts[i]);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(comp);
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private void Decompress(int i, byte[] comp, byte[] raw)
    {
        if (!BrotliDecoder.TryDecompress(comp.AsSpan(0, _compressedLengths[i]), raw.AsSpan(0, _rawLengths[i]), out var written) || written != _rawLengths[i])
        {
            throw Corrupt(i, "a patient block does not decompress");
        }
    }

    private InputDataException Corrupt(int i, string what) =>
        new("EHR-STORE-003", System.IO.Path.Combine(Path, StoreFiles.Data), null, null,
            $"The store is corrupt: {what} (subject {_subjects[i]})", fix: "Re-run ehr-graph ingest --force");

    private static void EnsureSize(ref byte[] buffer, int size)
    {
        if (buffer.Length < size)
        {
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = ArrayPool<byte>.Shared.Rent(size);
        }
    }

    private PatientTrajectory Decode(long subjectId, ReadOnlySpan<byte> p, int eventCountHint)
    {
        var pos = 0;
        var eventCount = (int)VarInt.Read(p, ref pos);
        var events = new EhrEvent[eventCount];
        for (var e = 0; e < eventCount; e++)
        {
            var table = _tables[(int)VarInt.Read(p, ref pos)];
            var flags = p[pos++];
            DateTime? start = null;
            DateTime? end = null;
            long? hadm = null;
            long startSeconds = 0;
            if ((flags & StoreFiles.FlagStart) != 0)
            {
                startSeconds = (long)VarInt.Read(p, ref pos);
                start = StoreFiles.FromSeconds(startSeconds);
            }

            if ((flags & StoreFiles.FlagEnd) != 0)
            {
                end = StoreFiles.FromSeconds(startSeconds + VarInt.UnZigZag(VarInt.Read(p, ref pos)));
            }

            if ((flags & StoreFiles.FlagHadm) != 0)
            {
                hadm = (long)VarInt.Read(p, ref pos);
            }

            var itemCount = (int)VarInt.Read(p, ref pos);
            var items = new EventItem[itemCount];
            for (var r = 0; r < itemCount; r++)
            {
                items[r] = DecodeItem(table, p, ref pos);
            }

            events[e] = new EhrEvent(table.Name, start, end, hadm, items);
        }

        _ = eventCountHint;
        return new PatientTrajectory(subjectId, events);
    }

    private static EventItem DecodeItem(TableLayout table, ReadOnlySpan<byte> p, ref int pos)
    {
        var values = new string?[table.Columns.Length];
        for (var c = 0; c < values.Length; c++)
        {
            var len = (int)VarInt.Read(p, ref pos);
            if (len == 0)
            {
                continue;
            }

            values[c] = len == 1 ? string.Empty : Encoding.UTF8.GetString(p.Slice(pos, len - 1));
            pos += len - 1;
        }

        Dictionary<string, string[]>? lists = null;
        for (var l = 0; l < table.Lists.Length; l++)
        {
            var count = (int)VarInt.Read(p, ref pos);
            if (count == 0)
            {
                continue;
            }

            var arr = new string[count - 1];
            for (var k = 0; k < arr.Length; k++)
            {
                var len = (int)VarInt.Read(p, ref pos);
                arr[k] = Encoding.UTF8.GetString(p.Slice(pos, len));
                pos += len;
            }

            lists ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
            lists[table.Lists[l]] = arr;
        }

        return new EventItem(table.Columns, values, lists);
    }

    private sealed record TableLayout(string Name, string[] Columns, string[] Lists);
}
