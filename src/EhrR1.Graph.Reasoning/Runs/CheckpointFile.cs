using System.Buffers;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>
/// Crash recovery for an append-only JSONL checkpoint: a process killed mid-write can leave a last line without
/// its newline, or a last line that is not complete JSON. <see cref="Recover"/> cuts such a torn tail off and
/// returns the keys of every complete line, so a rerun neither loses nor repeats a sample.
/// </summary>
public static class CheckpointFile
{
    /// <summary>Result of <see cref="Recover"/>.</summary>
    public sealed record Recovery(long Lines, long DuplicateLines, long TruncatedBytes);

    /// <summary>
    /// Truncates a torn tail of <paramref name="path"/> (if it exists) and adds the <paramref name="keyProperty"/>
    /// of each complete line to <paramref name="keys"/> (pass null to only repair). A malformed line that is not
    /// the last one is real corruption and raises an <see cref="InputDataException"/>.
    /// </summary>
    public static Recovery Recover(string path, string? keyProperty, SampleKeySet? keys)
    {
        if (!File.Exists(path))
        {
            return new Recovery(0, 0, 0);
        }

        long lines = 0, duplicates = 0, lineNumber = 0;
        long lastGoodEnd = 0;
        long position = 0;
        var pending = new ArrayBufferWriter<byte>(1 << 16);
        string? badLineProblem = null;
        long badLineNumber = 0;
        using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20))
        {
            var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
            try
            {
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
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
                        lineNumber++;
                        var line = pending.WrittenSpan;
                        if (badLineProblem is not null)
                        {
                            throw Corrupt(path, badLineNumber, badLineProblem);
                        }

                        if (!IsBlank(line))
                        {
                            if (TryReadKey(line, keyProperty, out var key, out var problem))
                            {
                                lines++;
                                if (keys is not null && key is not null && !keys.Add(key))
                                {
                                    duplicates++;
                                }

                                lastGoodEnd = position;
                            }
                            else
                            {
                                // Tolerated only if it is the very last line (a torn write); decided when the next line arrives.
                                badLineProblem = problem;
                                badLineNumber = lineNumber;
                            }
                        }
                        else
                        {
                            lastGoodEnd = position;
                        }

                        pending.Clear();
                    }
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }

        var length = new FileInfo(path).Length;
        var truncated = length - lastGoodEnd;
        if (truncated > 0)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
            fs.SetLength(lastGoodEnd);
            fs.Flush(flushToDisk: true);
        }

        return new Recovery(lines, duplicates, truncated);
    }

    private static InputDataException Corrupt(string path, long line, string problem) =>
        new("EHR-RSN-010", path, line, null, "a checkpoint line in the middle of the file is not a complete record (" + problem + ")",
            expected: "one JSON object per line", fix: "The file was edited or corrupted; restore it, or move it away to start the run afresh");

    private static bool IsBlank(ReadOnlySpan<byte> line)
    {
        foreach (var b in line)
        {
            if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    private static bool TryReadKey(ReadOnlySpan<byte> line, string? keyProperty, out string? key, out string problem)
    {
        key = null;
        problem = string.Empty;
        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object";
                return false;
            }

            var depth = reader.CurrentDepth;
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == depth)
                {
                    if (reader.Read())
                    {
                        problem = "trailing data after the object";
                        return false;
                    }

                    if (keyProperty is not null && key is null)
                    {
                        problem = "no \"" + keyProperty + "\" string";
                        return false;
                    }

                    return true;
                }

                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == depth + 1 && keyProperty is not null && reader.ValueTextEquals(keyProperty))
                {
                    reader.Read();
                    if (reader.TokenType == JsonTokenType.String)
                    {
                        key = reader.GetString();
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }

            problem = "the object is cut short";
            return false;
        }
        catch (JsonException)
        {
            problem = "invalid JSON";
            return false;
        }
    }
}
