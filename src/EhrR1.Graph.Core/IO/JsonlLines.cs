using System.Buffers;

namespace EhrR1.Graph.Core.IO;

/// <summary>Receives one line of a file: its bytes without the newline, its 1-based number, its byte offset, and whether a newline ended it.</summary>
public delegate void JsonlLineHandler(ReadOnlySpan<byte> line, long lineNumber, long start, bool terminated);

/// <summary>
/// Streams the raw lines of a (JSONL) file in 1 MiB reads, with their byte offsets: the line splitting shared by the
/// scanners that index or repair JSONL files without parsing them whole. Memory is one read buffer plus the longest line.
/// </summary>
public static class JsonlLines
{
    /// <summary>
    /// Calls <paramref name="handler"/> for every line of <paramref name="path"/>; the last line is passed with
    /// <c>terminated</c> false when the file does not end with a newline (and is not passed when it is empty).
    /// </summary>
    public static void Scan(string path, JsonlLineHandler handler, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(handler);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
        var pending = new ArrayBufferWriter<byte>(1 << 16);
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            long position = 0, lineStart = 0, lineNumber = 0;
            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var span = buffer.AsSpan(0, read);
                while (span.Length > 0)
                {
                    var nl = span.IndexOf((byte)'\n');
                    if (nl < 0)
                    {
                        pending.Write(span);
                        position += span.Length;
                        break;
                    }

                    pending.Write(span[..nl]);
                    position += nl + 1;
                    span = span[(nl + 1)..];
                    handler(pending.WrittenSpan, ++lineNumber, lineStart, terminated: true);
                    pending.Clear();
                    lineStart = position;
                }
            }

            if (pending.WrittenCount > 0)
            {
                handler(pending.WrittenSpan, ++lineNumber, lineStart, terminated: false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
