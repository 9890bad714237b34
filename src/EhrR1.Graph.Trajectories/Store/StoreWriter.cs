using System.Buffers;
using System.Buffers.Binary;
using System.IO.Compression;

namespace EhrR1.Graph.Trajectories.Store;

/// <summary>
/// Appends patient blocks (Brotli-compressed, ascending subject order) to <c>trajectories.dat</c> and writes the
/// subject index on <see cref="Complete"/>. Not thread-safe.
/// </summary>
internal sealed class StoreWriter : IDisposable
{
    private readonly FileStream _data;
    private readonly FileStream _index;
    private readonly byte[] _entry = new byte[StoreFiles.IndexEntrySize];
    private byte[] _compressed = new byte[1 << 16];
    private long _count;
    private long _lastSubject = long.MinValue;

    public StoreWriter(string directory)
    {
        _data = new FileStream(Path.Combine(directory, StoreFiles.Data), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 20);
        _data.Write(StoreFiles.DataMagic);
        _index = new FileStream(Path.Combine(directory, StoreFiles.Index), FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _index.Write(StoreFiles.IndexMagic);
        _index.Write(new byte[8]);
    }

    public long Patients => _count;

    public long DataBytes => _data.Position;

    public void WritePatient(long subjectId, ReadOnlySpan<byte> payload, int eventCount, int rowCount)
    {
        if (subjectId <= _lastSubject)
        {
            throw new InvalidOperationException("Patients must be written in strictly ascending subject order.");
        }

        _lastSubject = subjectId;
        var bound = BrotliEncoder.GetMaxCompressedLength(payload.Length);
        if (_compressed.Length < bound)
        {
            _compressed = new byte[Math.Max(bound, _compressed.Length * 2)];
        }

        if (!BrotliEncoder.TryCompress(payload, _compressed, out var written, StoreFiles.BrotliQuality, StoreFiles.BrotliWindow))
        {
            throw new InvalidOperationException("Brotli compression failed.");
        }

        var offset = _data.Position;
        _data.Write(_compressed, 0, written);
        var e = _entry.AsSpan();
        BinaryPrimitives.WriteInt64LittleEndian(e, subjectId);
        BinaryPrimitives.WriteInt64LittleEndian(e[8..], offset);
        BinaryPrimitives.WriteInt32LittleEndian(e[16..], written);
        BinaryPrimitives.WriteInt32LittleEndian(e[20..], payload.Length);
        BinaryPrimitives.WriteInt32LittleEndian(e[24..], eventCount);
        BinaryPrimitives.WriteInt32LittleEndian(e[28..], rowCount);
        _index.Write(_entry);
        _count++;
    }

    public void Complete()
    {
        _data.Flush(flushToDisk: true);
        Span<byte> n = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(n, _count);
        _index.Position = 8;
        _index.Write(n);
        _index.Flush(flushToDisk: true);
    }

    public void Dispose()
    {
        _data.Dispose();
        _index.Dispose();
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
