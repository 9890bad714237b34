using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// The line and field rules of UMLS RRF files (MRCONSO, MRSTY, MRREL, ...), shared by every reader of them: lines are
/// strict UTF-8 (a bad byte is EHR-IO-002 naming the file and its line), and a row has exactly the layout's number of
/// pipe-separated fields, each followed by <c>|</c> (EHR-UMLS-001 otherwise). Line content is never echoed.
/// </summary>
public static class RrfText
{
    /// <summary>
    /// Streams the lines of <paramref name="stream"/> with their 1-based numbers, without the line break (LF or CRLF)
    /// and without a leading byte-order mark. A line that is not valid UTF-8 stops the read with an
    /// <see cref="InputDataException"/> naming <paramref name="file"/> and the line.
    /// </summary>
    public static IEnumerable<(long Line, string Text)> ReadLines(Stream stream, string file, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var buffer = new byte[1 << 16];
        int start = 0, end = 0;
        long line = 0;
        var atEnd = false;
        while (true)
        {
            var newline = buffer.AsSpan(start, end - start).IndexOf((byte)'\n');
            if (newline >= 0)
            {
                line++;
                if ((line & 0xffff) == 0)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                }

                yield return (line, Decode(buffer.AsSpan(start, newline), file, line));
                start += newline + 1;
                continue;
            }

            if (atEnd)
            {
                if (end > start)
                {
                    line++;
                    yield return (line, Decode(buffer.AsSpan(start, end - start), file, line));
                }

                yield break;
            }

            if (start > 0)
            {
                Buffer.BlockCopy(buffer, start, buffer, 0, end - start);
                end -= start;
                start = 0;
            }

            if (end == buffer.Length)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            var read = stream.Read(buffer, end, buffer.Length - end);
            atEnd = read == 0;
            end += read;
        }
    }

    /// <summary>The lines of the file at <paramref name="path"/>, as <see cref="ReadLines(Stream, string, CancellationToken)"/>.</summary>
    public static IEnumerable<(long Line, string Text)> ReadFile(string path, string file, CancellationToken cancellationToken)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        foreach (var line in ReadLines(stream, file, cancellationToken))
        {
            yield return line;
        }
    }

    /// <summary>
    /// Splits one RRF row into exactly <paramref name="expected"/> fields (the empty field after the trailing pipe is
    /// dropped). Any other number of fields, or a missing trailing pipe, is an <see cref="InputDataException"/>.
    /// </summary>
    public static string[] Split(string line, int expected, string file, long lineNumber)
    {
        ArgumentNullException.ThrowIfNull(line);
        var count = line.AsSpan().Count('|');
        var endsWithPipe = line.Length > 0 && line[^1] == '|';
        if (!endsWithPipe || count != expected)
        {
            var fieldCount = endsWithPipe ? count : count + 1;
            throw new InputDataException(
                "EHR-UMLS-001", file, lineNumber, null, "malformed RRF line",
                expected: string.Create(CultureInfo.InvariantCulture, $"{expected} pipe-separated fields, each followed by '|' (the line ends with '|')"),
                found: string.Create(CultureInfo.InvariantCulture, $"{fieldCount} fields{(endsWithPipe ? string.Empty : " and no trailing '|'")}"),
                fix: "Re-extract the file from the release (MetamorphoSys or the NLM download); a truncated or edited file cannot be read");
        }

        var fields = new string[expected];
        var from = 0;
        for (var i = 0; i < expected; i++)
        {
            var to = line.IndexOf('|', from);
            fields[i] = to == from ? string.Empty : line[from..to];
            from = to + 1;
        }

        return fields;
    }

    private static string Decode(ReadOnlySpan<byte> bytes, string file, long line)
    {
        if (line == 1 && bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }

        if (bytes.Length > 0 && bytes[^1] == (byte)'\r')
        {
            bytes = bytes[..^1];
        }

        try
        {
            return TextEncodings.Utf8Strict.GetString(bytes);
        }
        catch (DecoderFallbackException ex)
        {
            var column = ex.Index >= 0 ? string.Create(CultureInfo.InvariantCulture, $" at byte {ex.Index + 1} of the line") : string.Empty;
            var bad = ex.BytesUnknown is { Length: > 0 } unknown ? "0x" + Convert.ToHexString(unknown) : "an invalid byte sequence";
            throw new InputDataException(
                "EHR-IO-002", file, line, null, "the line is not valid UTF-8",
                expected: "UTF-8 text (RRF files of the UMLS are UTF-8)",
                found: bad + column,
                fix: "Re-extract the file from the release, or re-encode it as UTF-8",
                innerException: ex);
        }
    }
}
