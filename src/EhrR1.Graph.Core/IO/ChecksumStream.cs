using System.IO.Hashing;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// A pass-through stream that feeds every byte written to or read from the inner stream into an XxHash64, so a
/// binary artefact's checksum is computed while it streams (memory stays bounded). Forward-only: no seeking.
/// </summary>
public sealed class ChecksumStream(Stream inner, bool leaveOpen = true) : Stream
{
    private readonly XxHash64 _hash = new();
    private long _position;

    /// <summary>The bytes hashed so far.</summary>
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

    /// <summary>The XxHash64 of the bytes that passed so far.</summary>
    public ulong Checksum => _hash.GetCurrentHashAsUInt64();

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        var n = inner.Read(buffer);
        _hash.Append(buffer[..n]);
        _position += n;
        return n;
    }

    /// <inheritdoc/>
    public override int ReadByte()
    {
        // BinaryReader reads 7-bit string lengths byte by byte: no array per byte, and one small hash append.
        Span<byte> one = stackalloc byte[1];
        return Read(one) == 1 ? one[0] : -1;
    }

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override void Write(ReadOnlySpan<byte> buffer)
    {
        inner.Write(buffer);
        _hash.Append(buffer);
        _position += buffer.Length;
    }

    /// <inheritdoc/>
    public override void WriteByte(byte value) => Write([value]);

    /// <inheritdoc/>
    public override void Flush() => inner.Flush();

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing && !leaveOpen)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }
}
