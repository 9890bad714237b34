using System.IO.Hashing;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// A forward-only buffered pass-through stream that feeds every byte written to or read from the inner stream into an
/// XxHash64, so a binary artefact's checksum is computed while it streams (memory stays bounded: one 64 KiB buffer).
/// Reads ahead but hashes only the bytes handed out, so <see cref="Checksum"/> covers exactly what was consumed and a
/// trailer after it can be read through the same stream. Bytes pass to the hash in buffer-sized runs: small reads and
/// writes (a <see cref="BinaryReader"/>'s string lengths) cost a copy, not a hash call each.
/// </summary>
public sealed class ChecksumStream(Stream inner, bool leaveOpen = true) : Stream
{
    private const int BufferSize = 64 * 1024;

    private readonly XxHash64 _hash = new();
    private byte[]? _buffer;
    private int _readHashed;
    private int _readPos;
    private int _readLength;
    private int _writeLength;
    private long _position;

    /// <summary>The bytes read or written so far (all of them are in <see cref="Checksum"/>).</summary>
    public long BytesHashed => _position;

    /// <inheritdoc/>
    public override bool CanRead => inner.CanRead;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => inner.CanWrite;

    /// <inheritdoc/>
    public override long Length => inner.Length;

    /// <inheritdoc/>
    public override long Position
    {
        get => _position;
        set => throw new NotSupportedException();
    }

    /// <summary>The XxHash64 of the bytes read or written so far (pending writes are passed on first).</summary>
    public ulong Checksum
    {
        get
        {
            HashConsumed();
            FlushWrites();
            return _hash.GetCurrentHashAsUInt64();
        }
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        if (buffer.IsEmpty)
        {
            return 0;
        }

        if (_readPos == _readLength)
        {
            HashConsumed();
            if (buffer.Length >= BufferSize)
            {
                var direct = inner.Read(buffer);
                _hash.Append(buffer[..direct]);
                _position += direct;
                return direct;
            }

            _buffer ??= new byte[BufferSize];
            _readLength = inner.Read(_buffer);
            _readPos = _readHashed = 0;
            if (_readLength == 0)
            {
                return 0;
            }
        }

        var n = Math.Min(buffer.Length, _readLength - _readPos);
        _buffer.AsSpan(_readPos, n).CopyTo(buffer);
        _readPos += n;
        _position += n;
        return n;
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        if (_readPos < _readLength)
        {
            _position++;
            return _buffer![_readPos++];
        }

        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _buffer ??= new byte[BufferSize];
        if (buffer.Length > BufferSize - _writeLength)
        {
            FlushWrites();
        }

        if (buffer.Length >= BufferSize)
        {
            inner.Write(buffer);
            _hash.Append(buffer);
        }
        else
        {
            buffer.CopyTo(_buffer.AsSpan(_writeLength));
            _writeLength += buffer.Length;
        }

        _position += buffer.Length;
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc/>
    public override void Flush()
    {
        FlushWrites();
        inner.Flush();
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            FlushWrites();
            if (!leaveOpen)
            {
                inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }

    private void HashConsumed()
    {
        if (_readPos > _readHashed)
        {
            _hash.Append(_buffer.AsSpan(_readHashed, _readPos - _readHashed));
            _readHashed = _readPos;
        }
    }

    private void FlushWrites()
    {
        if (_writeLength > 0)
        {
            inner.Write(_buffer.AsSpan(0, _writeLength));
            _hash.Append(_buffer.AsSpan(0, _writeLength));
            _writeLength = 0;
        }
    }
}
