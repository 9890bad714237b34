using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using System.IO.Hashing;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// Decompresses a gzip file and, unlike <see cref="GZipStream"/> alone, refuses to end quietly on a damaged file:
/// at the end of the data it checks the CRC-32 and length (ISIZE) of the decompressed bytes against the file's
/// trailer. A file cut anywhere (inside the header, the data or the trailer) is reported as truncated at its length,
/// a data or checksum error as corruption, both as <see cref="InputDataException"/> (exit code 1).
/// </summary>
/// <remarks>
/// The common single-member file is checked in one pass: the CRC-32 of everything read must equal the last trailer.
/// When it does not, the file may hold several members (<c>cat a.gz b.gz</c>, what pigz and bgzip write), so each
/// member is decoded again on its own and must end in its own trailer; only an error path or a multi-member file
/// pays for that second pass.
/// </remarks>
public sealed class VerifiedGzipStream : Stream
{
    private const int MinMember = 18; // 10-byte header, an empty deflate block, 8-byte trailer
    private const int HeaderFlagCrc = 0x02;
    private const int HeaderFlagExtra = 0x04;
    private const int HeaderFlagName = 0x08;
    private const int HeaderFlagComment = 0x10;

    private readonly string _path;
    private readonly string _display;
    private readonly FileStream _raw;
    private readonly GZipStream _inner;
    private readonly Crc32 _crc = new();
    private readonly uint _trailerCrc;
    private readonly uint _trailerSize;
    private readonly long _length;
    private long _total;
    private bool _verified;

    private VerifiedGzipStream(string path, string display, FileStream raw, uint trailerCrc, uint trailerSize)
    {
        _path = path;
        _display = display;
        _raw = raw;
        _length = raw.Length;
        _trailerCrc = trailerCrc;
        _trailerSize = trailerSize;
        _inner = new GZipStream(raw, CompressionMode.Decompress, leaveOpen: false);
    }

    /// <summary>Opens <paramref name="path"/> for verified decompression; <paramref name="displayPath"/> names it in messages.</summary>
    public static VerifiedGzipStream Open(string path, string? displayPath = null)
    {
        var display = displayPath ?? path;
        var raw = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            var length = raw.Length;
            Span<byte> head = stackalloc byte[2];
            if (length >= 2 && (raw.ReadAtLeast(head, 2, throwOnEndOfStream: false) < 2 || head[0] != 0x1f || head[1] != 0x8b))
            {
                throw new InputDataException("EHR-GZ-002", display, null, null, "The file is not gzip data (no gzip magic bytes at the start)",
                    "a gzip file (it ends in .gz)", "other data", "Re-download the file, or remove the .gz suffix if it is plain text");
            }

            if (length < MinMember)
            {
                throw Truncated(display, length);
            }

            Span<byte> trailer = stackalloc byte[8];
            raw.Position = length - 8;
            raw.ReadExactly(trailer);
            raw.Position = 0;
            return new VerifiedGzipStream(path, display, raw,
                BinaryPrimitives.ReadUInt32LittleEndian(trailer), BinaryPrimitives.ReadUInt32LittleEndian(trailer[4..]));
        }
        catch
        {
            raw.Dispose();
            throw;
        }
    }

    /// <inheritdoc/>
    public override bool CanRead => true;

    /// <inheritdoc/>
    public override bool CanSeek => false;

    /// <inheritdoc/>
    public override bool CanWrite => false;

    /// <inheritdoc/>
    public override long Length => throw new NotSupportedException();

    /// <inheritdoc/>
    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    /// <inheritdoc/>
    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    /// <inheritdoc/>
    public override int Read(Span<byte> buffer)
    {
        int n;
        try
        {
            n = _inner.Read(buffer);
        }
        catch (InvalidDataException ex)
        {
            throw Corrupt(_display, _raw.Position, ex);
        }

        if (n > 0)
        {
            _crc.Append(buffer[..n]);
            _total += n;
        }
        else if (buffer.Length > 0 && !_verified)
        {
            Verify();
        }

        return n;
    }

    /// <inheritdoc/>
    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        Task.FromResult(Read(buffer.AsSpan(offset, count)));

    /// <inheritdoc/>
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        ValueTask.FromResult(Read(buffer.Span));

    /// <inheritdoc/>
    public override void Flush()
    {
    }

    /// <inheritdoc/>
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void SetLength(long value) => throw new NotSupportedException();

    /// <inheritdoc/>
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    /// <inheritdoc/>
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    private void Verify()
    {
        if (_crc.GetCurrentHashAsUInt32() == _trailerCrc && unchecked((uint)_total) == _trailerSize)
        {
            _verified = true;
            return;
        }

        // Not one complete member: either several members or a damaged file. Walk the members one by one.
        VerifyMembers(_path, _display);
        _verified = true;
    }

    private static void VerifyMembers(string path, string display)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var length = file.Length;
        var buffer = new byte[1 << 16];
        var trailer = new byte[8];
        long pos = 0;
        while (pos < length)
        {
            file.Position = pos;
            var dataStart = SkipHeader(file, display, length);
            var crc = new Crc32();
            long size = 0;
            file.Position = dataStart;
            using (var deflate = new DeflateStream(file, CompressionMode.Decompress, leaveOpen: true))
            {
                int n;
                try
                {
                    while ((n = deflate.Read(buffer)) > 0)
                    {
                        crc.Append(buffer.AsSpan(0, n));
                        size += n;
                    }
                }
                catch (InvalidDataException ex)
                {
                    throw Corrupt(display, file.Position, ex);
                }
            }

            // The deflate reader reads ahead by at most its buffer; the trailer starts where the deflate data ended.
            var readTo = file.Position;
            Span<byte> expected = trailer;
            BinaryPrimitives.WriteUInt32LittleEndian(expected, crc.GetCurrentHashAsUInt32());
            BinaryPrimitives.WriteUInt32LittleEndian(expected[4..], unchecked((uint)size));
            var windowStart = Math.Max(dataStart, readTo - (1 << 16));
            var window = new byte[(int)(Math.Min(length, readTo + 8) - windowStart)];
            file.Position = windowStart;
            file.ReadExactly(window);
            var at = window.AsSpan().IndexOf(expected);
            if (at < 0)
            {
                // Either the file ends inside this member, or the trailer does not match the data.
                if (readTo >= length)
                {
                    throw Truncated(display, length);
                }

                throw ChecksumMismatch(display, readTo);
            }

            pos = windowStart + at + 8;
        }
    }

    /// <summary>Reads a member header at the current position; returns where its deflate data starts.</summary>
    private static long SkipHeader(FileStream file, string display, long length)
    {
        var start = file.Position;
        if (length - start < MinMember)
        {
            throw Truncated(display, length);
        }

        Span<byte> head = stackalloc byte[10];
        file.ReadExactly(head);
        if (head[0] != 0x1f || head[1] != 0x8b || head[2] != 8)
        {
            throw new InputDataException("EHR-GZ-003", display, null, null,
                $"The file has data that is not a gzip member at byte {start.ToString(CultureInfo.InvariantCulture)}",
                "another gzip member or the end of the file", "other bytes", "Re-download the file");
        }

        var flags = head[3];
        if ((flags & HeaderFlagExtra) != 0)
        {
            var lo = file.ReadByte();
            var hi = file.ReadByte();
            if (hi < 0)
            {
                throw Truncated(display, length);
            }

            file.Position += lo | (hi << 8);
        }

        foreach (var flag in new[] { HeaderFlagName, HeaderFlagComment })
        {
            if ((flags & flag) == 0)
            {
                continue;
            }

            int b;
            while ((b = file.ReadByte()) > 0)
            {
            }

            if (b < 0)
            {
                throw Truncated(display, length);
            }
        }

        if ((flags & HeaderFlagCrc) != 0)
        {
            file.Position += 2;
        }

        if (file.Position >= length)
        {
            throw Truncated(display, length);
        }

        return file.Position;
    }

    private static InputDataException Truncated(string display, long length) =>
        new("EHR-GZ-001", display, null, null,
            $"The file is truncated at byte {length.ToString(CultureInfo.InvariantCulture)} (gzip stream ends before its trailer)",
            "a complete gzip file ending in its CRC-32 and length trailer", "the file ends early",
            "Re-download it (ehr-graph download-demo verifies the checksums)");

    private static InputDataException Corrupt(string display, long near, Exception inner) =>
        new("EHR-GZ-004", display, null, null,
            $"The file is corrupt near compressed byte {near.ToString(CultureInfo.InvariantCulture)} (invalid gzip data or a CRC-32 mismatch)",
            "valid deflate data whose CRC-32 matches the gzip trailer", "damaged compressed data",
            "Re-download it (ehr-graph download-demo verifies the checksums)", inner);

    private static InputDataException ChecksumMismatch(string display, long near) =>
        new("EHR-GZ-005", display, null, null,
            $"The file is corrupt: the gzip trailer near byte {near.ToString(CultureInfo.InvariantCulture)} does not match the data (CRC-32 or length mismatch)",
            "a trailer whose CRC-32 and length match the decompressed data", "a different CRC-32 or length",
            "Re-download it (ehr-graph download-demo verifies the checksums)");
}
