using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Trajectories.Model;
using Microsoft.Win32.SafeHandles;

namespace EhrR1.Graph.Trajectories.Store;

/// <summary>
/// Read access to a trajectory store folder written by <c>ehr-graph ingest</c> (format in docs/formats.md).
/// The subject index (32 bytes per patient) and the block index (24 bytes per block of about 32 KiB raw) are loaded
/// at open. <see cref="TryRead"/> returns a patient whose events are decoded on first use, block by block (one
/// positioned read and one Brotli decode per block), so a window read decodes only the blocks it touches;
/// <see cref="ReadAll"/> streams patients in ascending subject order, decoding every block.
/// Thread-safe for concurrent readers; a patient from <see cref="TryRead"/> must be used before the store is disposed.
/// </summary>
public sealed class TrajectoryStore : ITrajectoryStore
{
    private readonly SafeFileHandle _data;
    private readonly long[] _subjects;
    private readonly long[] _firstBlocks;
    private readonly int[] _blockCounts;
    private readonly int[] _eventCounts;
    private readonly int[] _rowCounts;
    private readonly long[] _blockOffsets;
    private readonly int[] _blockCompressed;
    private readonly int[] _blockRaw;
    private readonly int[] _blockFirstEvent;
    private readonly int[] _blockEvents;
    private readonly uint[] _blockChecksums;
    private readonly TableLayout[] _tables;
    private long _blockReads;

    private TrajectoryStore(string path, StoreSchema schema, SafeFileHandle data, PatientIndex patients, BlockIndex blocks)
    {
        Path = path;
        Schema = schema;
        _data = data;
        (_subjects, _firstBlocks, _blockCounts, _eventCounts, _rowCounts) = patients;
        (_blockOffsets, _blockCompressed, _blockRaw, _blockFirstEvent, _blockEvents, _blockChecksums) = blocks;
        _tables = schema.Tables.Select(t => new TableLayout(t.Name, [.. t.Columns], [.. t.Lists])).ToArray();
        SubjectIds = Array.AsReadOnly(_subjects);
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

    /// <summary>Number of compressed event blocks.</summary>
    public long BlockCount => _blockOffsets.Length;

    /// <summary>Blocks read and decoded so far for patients returned by <see cref="TryRead"/> (not counting <see cref="ReadAll"/>).</summary>
    public long BlockReads => Interlocked.Read(ref _blockReads);

    /// <summary>Opens a store folder. Throws <see cref="InputDataException"/> when it is not a complete store of this format.</summary>
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

        var patients = ReadTable(indexPath, StoreFiles.IndexMagic, StoreFiles.IndexEntrySize, n => new PatientIndex(new long[n], new long[n], new int[n], new int[n], new int[n]), (p, i, e) =>
        {
            p.Subjects[i] = BinaryPrimitives.ReadInt64LittleEndian(e);
            p.FirstBlocks[i] = BinaryPrimitives.ReadInt64LittleEndian(e[8..]);
            p.BlockCounts[i] = BinaryPrimitives.ReadInt32LittleEndian(e[16..]);
            p.Events[i] = BinaryPrimitives.ReadInt32LittleEndian(e[20..]);
            p.Rows[i] = BinaryPrimitives.ReadInt32LittleEndian(e[24..]);
        });
        var blocksPath = System.IO.Path.Combine(dir, StoreFiles.Blocks);
        var blocks = ReadTable(blocksPath, StoreFiles.BlocksMagic, StoreFiles.BlockEntrySize, n => new BlockIndex(new long[n], new int[n], new int[n], new int[n], new int[n], new uint[n]), (b, i, e) =>
        {
            b.Offsets[i] = BinaryPrimitives.ReadInt64LittleEndian(e);
            b.Compressed[i] = BinaryPrimitives.ReadInt32LittleEndian(e[8..]);
            b.Raw[i] = BinaryPrimitives.ReadInt32LittleEndian(e[12..]);
            b.FirstEvent[i] = BinaryPrimitives.ReadInt32LittleEndian(e[16..]);
            b.Events[i] = BinaryPrimitives.ReadInt32LittleEndian(e[20..]);
            b.Checksums[i] = BinaryPrimitives.ReadUInt32LittleEndian(e[24..]);
        });
        for (var i = 0; i < patients.Subjects.Length; i++)
        {
            if (patients.FirstBlocks[i] < 0 || patients.FirstBlocks[i] + patients.BlockCounts[i] > blocks.Offsets.Length)
            {
                throw new InputDataException("EHR-STORE-002", indexPath, null, null, "The subject index points past the block index",
                    fix: "Re-run ehr-graph ingest --force");
            }
        }

        var handle = File.OpenHandle(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.RandomAccess);
        return new TrajectoryStore(dir, schema, handle, patients, blocks);
    }

    private static T ReadTable<T>(string path, ReadOnlySpan<byte> magic, int entrySize, Func<int, T> create, ReadEntry<T> read)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-STORE-001", path, null, null, "The store has no " + System.IO.Path.GetFileName(path) + " (it was written by an older version)",
                fix: "Re-run ehr-graph ingest --force");
        }

        var bytes = File.ReadAllBytes(path);
        if (bytes.Length < 16 || !bytes.AsSpan(0, 8).SequenceEqual(magic))
        {
            var found = bytes.Length >= 8 && bytes.AsSpan(0, 8).IndexOfAnyExceptInRange((byte)'0', (byte)'Z') < 0 ? Encoding.ASCII.GetString(bytes, 0, 8) : "another header";
            throw new InputDataException("EHR-STORE-002", path, null, null, "Not a trajectory store file of this version", "the " + Encoding.ASCII.GetString(magic) + " header", found,
                "The store was written by another version; re-run ehr-graph ingest --force");
        }

        var n = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(8));
        if (n < 0 || n > int.MaxValue || 16 + (n * entrySize) + StoreFiles.TableChecksumSize != bytes.Length)
        {
            throw new InputDataException("EHR-STORE-002", path, null, null, "The index is truncated or incomplete",
                $"{16 + (n * entrySize) + StoreFiles.TableChecksumSize} bytes", $"{bytes.Length} bytes", "Re-run ehr-graph ingest --force");
        }

        var entries = bytes.AsSpan(16, (int)n * entrySize);
        if (XxHash64.HashToUInt64(entries) != BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(bytes.Length - StoreFiles.TableChecksumSize)))
        {
            throw new InputDataException("EHR-STORE-002", path, null, null, "The index is corrupt (checksum mismatch: the file was damaged after it was written)",
                fix: "Re-run ehr-graph ingest --force");
        }

        var result = create((int)n);
        var span = bytes.AsSpan(16);
        for (var i = 0; i < (int)n; i++)
        {
            read(result, i, span.Slice(i * entrySize, entrySize));
        }

        return result;
    }

    /// <summary>True when the store holds the subject.</summary>
    public bool Contains(long subjectId) => Array.BinarySearch(_subjects, subjectId) >= 0;

    /// <summary>The number of events of a subject (without decoding it), or -1 when absent.</summary>
    public int EventCountOf(long subjectId)
    {
        var i = Array.BinarySearch(_subjects, subjectId);
        return i >= 0 ? _eventCounts[i] : -1;
    }

    /// <summary>A subject's events, blocks and raw (decoded) block bytes, without decoding; null when absent.</summary>
    internal (int Events, int Blocks, long RawBytes)? ShapeOf(long subjectId)
    {
        var i = Array.BinarySearch(_subjects, subjectId);
        if (i < 0)
        {
            return null;
        }

        long raw = 0;
        for (var b = _firstBlocks[i]; b < _firstBlocks[i] + _blockCounts[i]; b++)
        {
            raw += _blockRaw[b];
        }

        return (_eventCounts[i], _blockCounts[i], raw);
    }

    /// <inheritdoc />
    /// <remarks>The events are decoded lazily, one block at a time, when first accessed.</remarks>
    public bool TryRead(long subjectId, out PatientTrajectory trajectory)
    {
        var i = Array.BinarySearch(_subjects, subjectId);
        if (i < 0)
        {
            trajectory = null!;
            return false;
        }

        trajectory = new PatientTrajectory(_subjects[i], new BlockEvents(this, i));
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
                var events = new EhrEvent[_eventCounts[i]];
                for (var b = _firstBlocks[i]; b < _firstBlocks[i] + _blockCounts[i]; b++)
                {
                    EnsureSize(ref comp, _blockCompressed[b]);
                    EnsureSize(ref raw, _blockRaw[b]);
                    fs.Position = _blockOffsets[b];
                    fs.ReadExactly(comp, 0, _blockCompressed[b]);
                    DecodeBlock(i, b, comp, raw, events.AsSpan(_blockFirstEvent[b], _blockEvents[b]));
                }

                yield return new PatientTrajectory(_subjects[i], events);
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

    /// <summary>Reads and decodes one block of patient <paramref name="i"/> with a positioned read.</summary>
    private EhrEvent[] ReadBlock(int i, long b)
    {
        var comp = ArrayPool<byte>.Shared.Rent(Math.Max(1, _blockCompressed[b]));
        var raw = ArrayPool<byte>.Shared.Rent(Math.Max(1, _blockRaw[b]));
        try
        {
            var read = RandomAccess.Read(_data, comp.AsSpan(0, _blockCompressed[b]), _blockOffsets[b]);
            if (read != _blockCompressed[b])
            {
                throw Corrupt(i, "the data file is shorter than the block index says");
            }

            var events = new EhrEvent[_blockEvents[b]];
            DecodeBlock(i, b, comp, raw, events);
            Interlocked.Increment(ref _blockReads);
            return events;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(comp);
            ArrayPool<byte>.Shared.Return(raw);
        }
    }

    private void DecodeBlock(int i, long b, byte[] comp, byte[] raw, Span<EhrEvent> events)
    {
        var rawLength = _blockRaw[b];
        if (XxHash32.HashToUInt32(comp.AsSpan(0, _blockCompressed[b])) != _blockChecksums[b])
        {
            throw Corrupt(i, $"event block {b} fails its checksum (the file was damaged after it was written)");
        }

        if (!BrotliDecoder.TryDecompress(comp.AsSpan(0, _blockCompressed[b]), raw.AsSpan(0, rawLength), out var written) || written != rawLength)
        {
            throw Corrupt(i, "an event block does not decompress");
        }

        var pos = DecodeEvents(raw.AsSpan(0, rawLength), events);
        if (pos != rawLength)
        {
            throw Corrupt(i, "an event block does not end where its events end");
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

    /// <summary>Decodes <c>events.Length</c> consecutive events from <paramref name="p"/>; returns the bytes consumed.</summary>
    private int DecodeEvents(ReadOnlySpan<byte> p, Span<EhrEvent> events)
    {
        var pos = 0;
        for (var e = 0; e < events.Length; e++)
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

        return pos;
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

            values[c] = len == 1 ? string.Empty : ValueCache.Get(p.Slice(pos, len - 1));
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
                arr[k] = ValueCache.Get(p.Slice(pos, len));
                pos += len;
            }

            lists ??= new Dictionary<string, string[]>(StringComparer.Ordinal);
            lists[table.Lists[l]] = arr;
        }

        return new EventItem(table.Columns, values, lists);
    }

    private sealed record TableLayout(string Name, string[] Columns, string[] Lists);

    /// <summary>
    /// Short ASCII values repeat a lot (times shared by an event's rows, units, flags, item names, ids of the same
    /// admission): a small per-thread direct-mapped cache returns the same string instead of decoding and allocating
    /// a new one. Values are immutable strings, so sharing them between items is safe; the cache never changes what
    /// is decoded.
    /// </summary>
    private static class ValueCache
    {
        private const int Slots = 4096;
        private const int MaxBytes = 48;

        [ThreadStatic]
        private static string?[]? t_slots;

        public static string Get(ReadOnlySpan<byte> bytes)
        {
            if (bytes.Length > MaxBytes || !Ascii.IsValid(bytes))
            {
                return Encoding.UTF8.GetString(bytes);
            }

            var slots = t_slots ??= new string?[Slots];
            var hash = default(HashCode);
            hash.AddBytes(bytes);
            ref var slot = ref slots[hash.ToHashCode() & (Slots - 1)];
            if (slot is { } cached && cached.Length == bytes.Length && Ascii.Equals(bytes, cached))
            {
                return cached;
            }

            var value = Encoding.ASCII.GetString(bytes);
            slot = value;
            return value;
        }
    }

    private delegate void ReadEntry<in T>(T table, int i, ReadOnlySpan<byte> entry);

    private sealed record PatientIndex(long[] Subjects, long[] FirstBlocks, int[] BlockCounts, int[] Events, int[] Rows);

    private sealed record BlockIndex(long[] Offsets, int[] Compressed, int[] Raw, int[] FirstEvent, int[] Events, uint[] Checksums);

    /// <summary>
    /// A patient's events, decoded block by block on first access and kept. Concurrent first accesses may decode a
    /// block twice; both results are equal and either is kept.
    /// </summary>
    private sealed class BlockEvents(TrajectoryStore store, int patient) : IReadOnlyList<EhrEvent>
    {
        private readonly EhrEvent[]?[] _blocks = new EhrEvent[store._blockCounts[patient]][];

        public int Count => store._eventCounts[patient];

        public EhrEvent this[int index]
        {
            get
            {
                if ((uint)index >= (uint)Count)
                {
                    throw new ArgumentOutOfRangeException(nameof(index), index, "outside the patient's events");
                }

                var first = store._firstBlocks[patient];
                var k = Array.BinarySearch(store._blockFirstEvent, (int)first, _blocks.Length, index);
                if (k < 0)
                {
                    k = ~k - 1;
                }

                var local = k - (int)first;
                var events = Volatile.Read(ref _blocks[local]);
                if (events is null)
                {
                    events = store.ReadBlock(patient, k);
                    Volatile.Write(ref _blocks[local], events);
                }

                return events[index - store._blockFirstEvent[k]];
            }
        }

        public IEnumerator<EhrEvent> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
