using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace EhrR1.Graph.Trajectories.Store;

/// <summary>
/// Appends each patient's events as Brotli blocks of about <see cref="StoreFiles.BlockTargetBytes"/> raw bytes
/// (ascending subject order) to <c>trajectories.dat</c>, one entry per block to <c>blocks.bin</c>, and writes the
/// subject index on <see cref="Complete"/>. Not thread-safe.
/// </summary>
internal sealed class StoreWriter : IDisposable
{
    private readonly FileStream _data;
    private readonly FileStream _index;
    private readonly FileStream _blocks;
    private readonly byte[] _entry = new byte[StoreFiles.IndexEntrySize];
    private byte[] _compressed = new byte[1 << 16];
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

    /// <summary>
    /// Writes one patient: <paramref name="payload"/> is its encoded events back to back, <paramref name="eventStarts"/>
    /// the byte offset of each event in it.
    /// </summary>
    public void WritePatient(long subjectId, ReadOnlySpan<byte> payload, ReadOnlySpan<int> eventStarts, int rowCount)
    {
        if (subjectId <= _lastSubject)
        {
            throw new InvalidOperationException("Patients must be written in strictly ascending subject order.");
        }

        _lastSubject = subjectId;
        var firstBlock = _blockCount;
        var blockStart = 0;
        while (blockStart < eventStarts.Length)
        {
            // Close the block after the event that brings it to the target size (at least one event per block).
            var blockEnd = blockStart + 1;
            while (blockEnd < eventStarts.Length && eventStarts[blockEnd] - eventStarts[blockStart] < StoreFiles.BlockTargetBytes)
            {
                blockEnd++;
            }

            var from = eventStarts[blockStart];
            var to = blockEnd < eventStarts.Length ? eventStarts[blockEnd] : payload.Length;
            WriteBlock(payload[from..to], blockStart, blockEnd - blockStart);
            blockStart = blockEnd;
        }

        var e = _entry.AsSpan();
        e.Clear();
        BinaryPrimitives.WriteInt64LittleEndian(e, subjectId);
        BinaryPrimitives.WriteInt64LittleEndian(e[8..], firstBlock);
        BinaryPrimitives.WriteInt32LittleEndian(e[16..], (int)(_blockCount - firstBlock));
        BinaryPrimitives.WriteInt32LittleEndian(e[20..], eventStarts.Length);
        BinaryPrimitives.WriteInt32LittleEndian(e[24..], rowCount);
        _index.Write(_entry);
        _count++;
    }

    private void WriteBlock(ReadOnlySpan<byte> raw, int firstEvent, int events)
    {
        var bound = BrotliEncoder.GetMaxCompressedLength(raw.Length);
        if (_compressed.Length < bound)
        {
            _compressed = new byte[Math.Max(bound, _compressed.Length * 2)];
        }

        if (!BrotliEncoder.TryCompress(raw, _compressed, out var written, StoreFiles.BrotliQuality, StoreFiles.BrotliWindow))
        {
            throw new InvalidOperationException("Brotli compression failed.");
        }

        var offset = _data.Position;
        _data.Write(_compressed, 0, written);
        Span<byte> b = stackalloc byte[StoreFiles.BlockEntrySize];
        BinaryPrimitives.WriteInt64LittleEndian(b, offset);
        BinaryPrimitives.WriteInt32LittleEndian(b[8..], written);
        BinaryPrimitives.WriteInt32LittleEndian(b[12..], raw.Length);
        BinaryPrimitives.WriteInt32LittleEndian(b[16..], firstEvent);
        BinaryPrimitives.WriteInt32LittleEndian(b[20..], events);
        _blocks.Write(b);
        _blockCount++;
    }

    public void Complete()
    {
        _data.Flush(flushToDisk: true);
        Span<byte> n = stackalloc byte[8];
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
