using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;

namespace EhrR1.Graph.Trajectories.Store;

/// <summary>
/// Appends batches of patients (ascending subject order) to <c>trajectories.dat</c> as Brotli blocks of about
/// <see cref="StoreFiles.BlockTargetBytes"/> raw bytes, one entry per block to <c>blocks.bin</c> and one per patient
/// to <c>index.bin</c>. Batches are cut and filled by one producer, compressed on any thread
/// (<see cref="StoreBatch.Compress"/>), and written here in order. Not thread-safe.
/// </summary>
internal sealed class StoreWriter : IDisposable
{
    private readonly FileStream _data;
    private readonly FileStream _index;
    private readonly FileStream _blocks;
    private readonly byte[] _entry = new byte[Math.Max(StoreFiles.IndexEntrySize, StoreFiles.BlockEntrySize)];
    private readonly XxHash64 _indexHash = new();
    private readonly XxHash64 _blocksHash = new();
    private long _count;
    private long _blockCount;
    private long _lastSubject = long.MinValue;

    public StoreWriter(string directory)
    {
        _data = new FileStream(Path.Combine(directory, StoreFiles.Data), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _data.Write(StoreFiles.DataMagic);
        _index = new FileStream(Path.Combine(directory, StoreFiles.Index), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _index.Write(StoreFiles.IndexMagic);
        _index.Write(new byte[8]);
        _blocks = new FileStream(Path.Combine(directory, StoreFiles.Blocks), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _blocks.Write(StoreFiles.BlocksMagic);
        _blocks.Write(new byte[8]);
    }

    public long Patients => _count;

    public long Blocks => _blockCount;

    public long DataBytes => _data.Position;

    /// <summary>Writes a compressed batch: its blocks, their entries, then its patients' index entries.</summary>
    public void Write(StoreBatch batch)
    {
        if (!batch.IsCompressed)
        {
            throw new InvalidOperationException("A batch must be compressed before it is written.");
        }

        var e = _entry.AsSpan();
        var compressed = batch.CompressedBytes;
        for (var k = 0; k < batch.BlockCount; k++)
        {
            ref readonly var b = ref batch.BlockAt(k);
            var offset = _data.Position;
            _data.Write(compressed.Slice(b.CompressedOffset, b.CompressedLength));
            e.Clear();
            BinaryPrimitives.WriteInt64LittleEndian(e, offset);
            BinaryPrimitives.WriteInt32LittleEndian(e[8..], b.CompressedLength);
            BinaryPrimitives.WriteInt32LittleEndian(e[12..], b.RawLength);
            BinaryPrimitives.WriteInt32LittleEndian(e[16..], b.FirstEvent);
            BinaryPrimitives.WriteInt32LittleEndian(e[20..], b.Events);
            BinaryPrimitives.WriteUInt32LittleEndian(e[24..], XxHash32.HashToUInt32(compressed.Slice(b.CompressedOffset, b.CompressedLength)));
            _blocks.Write(e[..StoreFiles.BlockEntrySize]);
            _blocksHash.Append(e[..StoreFiles.BlockEntrySize]);
        }

        for (var k = 0; k < batch.PatientCount; k++)
        {
            ref readonly var p = ref batch.PatientAt(k);
            if (p.Subject <= _lastSubject)
            {
                throw new InvalidOperationException("Patients must be written in strictly ascending subject order.");
            }

            _lastSubject = p.Subject;
            e.Clear();
            BinaryPrimitives.WriteInt64LittleEndian(e, p.Subject);
            BinaryPrimitives.WriteInt64LittleEndian(e[8..], _blockCount + p.FirstBlock);
            BinaryPrimitives.WriteInt32LittleEndian(e[16..], p.Blocks);
            BinaryPrimitives.WriteInt32LittleEndian(e[20..], p.Events);
            BinaryPrimitives.WriteInt32LittleEndian(e[24..], p.Rows);
            _index.Write(e[..StoreFiles.IndexEntrySize]);
            _indexHash.Append(e[..StoreFiles.IndexEntrySize]);
            _count++;
        }

        _blockCount += batch.BlockCount;
    }

    public void Complete()
    {
        _data.Flush(flushToDisk: true);
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(n, _blocksHash.GetCurrentHashAsUInt64());
        _blocks.Write(n);
        BinaryPrimitives.WriteUInt64LittleEndian(n, _indexHash.GetCurrentHashAsUInt64());
        _index.Write(n);
        BinaryPrimitives.WriteInt64LittleEndian(n, _blockCount);
        _blocks.Position = 8;
        _blocks.Write(n);
        _blocks.Flush(flushToDisk: true);
        BinaryPrimitives.WriteInt64LittleEndian(n, _count);
        _index.Position = 8;
        _index.Write(n);
        _index.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _data.Dispose();
        _index.Dispose();
        _blocks.Dispose();
    }

    /// <summary>Appends one row's encoded values (the store's per-item layout) to <paramref name="w"/>.</summary>
    public static void WriteValue(IBufferWriter<byte> w, ReadOnlySpan<byte> value, bool isNull)
    {
        if (isNull)
        {
            VarInt.Write(w, 0);
            return;
        }

        VarInt.Write(w, (ulong)value.Length + 1);
        w.Write(value);
    }
}

/// <summary>
/// A run of consecutive patients on their way to the store: their encoded events (raw), cut into blocks, then
/// compressed block by block. Filled by one thread, compressed by another, written by a third; reusable after
/// <see cref="Reset"/>.
/// </summary>
internal sealed class StoreBatch
{
    private readonly ArrayBufferWriter<byte> _raw = new(1 << 20);
    private BlockCut[] _blocks = new BlockCut[64];
    private PatientCut[] _patients = new PatientCut[64];
    private byte[] _compressed = new byte[1 << 18];
    private int _compressedLength;

    public int BlockCount { get; private set; }

    public int PatientCount { get; private set; }

    public int RawBytes => _raw.WrittenCount;

    public bool IsCompressed { get; private set; }

    public ReadOnlySpan<byte> CompressedBytes => _compressed.AsSpan(0, _compressedLength);

    public ref readonly BlockCut BlockAt(int k) => ref _blocks[k];

    public ref readonly PatientCut PatientAt(int k) => ref _patients[k];

    public void Reset()
    {
        _raw.ResetWrittenCount();
        BlockCount = 0;
        PatientCount = 0;
        _compressedLength = 0;
        IsCompressed = false;
    }

    /// <summary>
    /// Adds one patient: <paramref name="payload"/> is its encoded events back to back, <paramref name="eventStarts"/>
    /// the byte offset of each event in it. A block is closed after the event that brings it to the target size
    /// (at least one event per block).
    /// </summary>
    public void Add(long subjectId, ReadOnlySpan<byte> payload, ReadOnlySpan<int> eventStarts, int rowCount)
    {
        var baseOffset = _raw.WrittenCount;
        _raw.Write(payload);
        var firstBlock = BlockCount;
        var blockStart = 0;
        while (blockStart < eventStarts.Length)
        {
            var blockEnd = blockStart + 1;
            while (blockEnd < eventStarts.Length && eventStarts[blockEnd] - eventStarts[blockStart] < StoreFiles.BlockTargetBytes)
            {
                blockEnd++;
            }

            var from = eventStarts[blockStart];
            var to = blockEnd < eventStarts.Length ? eventStarts[blockEnd] : payload.Length;
            if (BlockCount == _blocks.Length)
            {
                Array.Resize(ref _blocks, _blocks.Length * 2);
            }

            _blocks[BlockCount++] = new BlockCut(baseOffset + from, to - from, blockStart, blockEnd - blockStart);
            blockStart = blockEnd;
        }

        if (PatientCount == _patients.Length)
        {
            Array.Resize(ref _patients, _patients.Length * 2);
        }

        _patients[PatientCount++] = new PatientCut(subjectId, firstBlock, BlockCount - firstBlock, eventStarts.Length, rowCount);
    }

    /// <summary>Compresses every block (independent Brotli streams, so a reader decodes any block alone).</summary>
    public void Compress()
    {
        var raw = _raw.WrittenSpan;
        var pos = 0;
        for (var k = 0; k < BlockCount; k++)
        {
            ref var b = ref _blocks[k];
            var bound = BrotliEncoder.GetMaxCompressedLength(b.RawLength);
            if (_compressed.Length - pos < bound)
            {
                Array.Resize(ref _compressed, Math.Max(pos + bound, _compressed.Length * 2));
            }

            if (!BrotliEncoder.TryCompress(raw.Slice(b.RawOffset, b.RawLength), _compressed.AsSpan(pos), out var written, StoreFiles.BrotliQuality, StoreFiles.BrotliWindow))
            {
                throw new InvalidOperationException("Brotli compression failed.");
            }

            b.CompressedOffset = pos;
            b.CompressedLength = written;
            pos += written;
        }

        _compressedLength = pos;
        IsCompressed = true;
    }

    /// <summary>One block: its raw bytes in the batch, its events within the patient, and after compression its bytes.</summary>
    internal struct BlockCut(int rawOffset, int rawLength, int firstEvent, int events)
    {
        public readonly int RawOffset = rawOffset;
        public readonly int RawLength = rawLength;
        public readonly int FirstEvent = firstEvent;
        public readonly int Events = events;
        public int CompressedOffset;
        public int CompressedLength;
    }

    /// <summary>One patient: subject, first block within the batch, block, event and row counts.</summary>
    internal readonly record struct PatientCut(long Subject, int FirstBlock, int Blocks, int Events, int Rows);
}
