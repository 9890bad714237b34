using System.Text.Json;
using System.Text.Unicode;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Core.IO;

/// <summary>How <see cref="ResumableJsonl.Recover"/> reads the keys of an append-only JSONL file.</summary>
public sealed record JsonlRecoveryOptions
{
    /// <summary>Top-level string property that identifies a record (e.g. <c>sample_id</c>); null: keys are not read.</summary>
    public string? KeyProperty { get; init; }

    /// <summary>Receives the key of every complete line; returns false when the key was already seen.</summary>
    public Func<string, bool>? AddKey { get; init; }

    /// <summary>True: a key seen twice is an error (naming the line); false: it is counted in <see cref="JsonlRecovery.DuplicateLines"/>.</summary>
    public bool DuplicateKeyIsError { get; init; }

    /// <summary>Error code of the <see cref="InputDataException"/> raised for a damaged line in the middle of the file.</summary>
    public string ErrorCode { get; init; } = "EHR-IO-020";

    /// <summary>What the user should do about a damaged file (ends the error message).</summary>
    public string Fix { get; init; } = "The file was edited or corrupted, not interrupted; restore it, or move it away to start afresh";
}

/// <summary>What <see cref="ResumableJsonl.Recover"/> found: complete lines, repeated keys, bytes of a torn tail cut off.</summary>
public sealed record JsonlRecovery(long Lines, long DuplicateLines, long TruncatedBytes);

/// <summary>
/// Crash recovery for the append-only JSONL outputs that stages resume (checkpoints, partial outputs, predictions).
/// A line counts only with its newline. A process killed mid-write leaves bytes after the last newline, or (when the
/// file system lost a page) a last line that is not a complete JSON object: that tail is cut off. Every other line must
/// be one UTF-8 JSON object (with the key property when one is asked for); a damaged line followed by more lines is
/// real corruption and raises an <see cref="InputDataException"/> naming file and line. Streams the file: memory is
/// one line plus the caller's key set.
/// </summary>
public static class ResumableJsonl
{
    /// <summary>
    /// Repairs a torn tail of <paramref name="path"/> (if the file exists) and passes the key of each complete line to
    /// <see cref="JsonlRecoveryOptions.AddKey"/>. A missing file is an empty recovery.
    /// </summary>
    public static JsonlRecovery Recover(string path, JsonlRecoveryOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new JsonlRecoveryOptions();
        if (!File.Exists(path))
        {
            return new JsonlRecovery(0, 0, 0);
        }

        long lines = 0, duplicates = 0, lastGoodEnd = 0;
        string? badProblem = null;
        long badLine = 0;
        var length = new FileInfo(path).Length;
        JsonlLines.Scan(path, (line, lineNumber, start, terminated) =>
        {
            if (!terminated)
            {
                return; // bytes after the last newline: a torn write, cut below
            }

            if (badProblem is not null)
            {
                // Another line after the damaged one: it was not the torn last write.
                throw Damaged(path, badLine, null, badProblem, options);
            }

            if (IsBlank(line))
            {
                lastGoodEnd = start + line.Length + 1;
            }
            else if (TryReadKey(line, options.KeyProperty, out var key, out var problem))
            {
                lines++;
                if (key is not null && options.AddKey is { } add && !add(key))
                {
                    if (options.DuplicateKeyIsError)
                    {
                        throw new InputDataException(options.ErrorCode, path, lineNumber, options.KeyProperty,
                            "the key is already on an earlier line", expected: "each key once", fix: options.Fix);
                    }

                    duplicates++;
                }

                lastGoodEnd = start + line.Length + 1;
            }
            else
            {
                badProblem = problem;
                badLine = lineNumber;
            }
        }, cancellationToken);

        var truncated = length - lastGoodEnd;
        if (truncated > 0)
        {
            using var fs = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.None);
            fs.SetLength(lastGoodEnd);
            fs.Flush(flushToDisk: true);
        }

        return new JsonlRecovery(lines, duplicates, truncated);
    }

    private static InputDataException Damaged(string path, long line, string? field, string problem, JsonlRecoveryOptions options) =>
        new(options.ErrorCode, path, line, field, "a line in the middle of the file is not a complete record (" + problem + ")",
            expected: "one UTF-8 JSON object per line" + (options.KeyProperty is { } k ? " with a \"" + k + "\" string" : string.Empty), fix: options.Fix);

    private static bool IsBlank(ReadOnlySpan<byte> line) => line.TrimStart(" \t\r"u8).IsEmpty;

    private static bool TryReadKey(ReadOnlySpan<byte> line, string? keyProperty, out string? key, out string problem)
    {
        key = null;
        problem = string.Empty;
        if (!Utf8.IsValid(line))
        {
            problem = "not valid UTF-8";
            return false;
        }

        try
        {
            var reader = new Utf8JsonReader(line);
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                problem = "not a JSON object";
                return false;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject && reader.CurrentDepth == 0)
                {
                    if (reader.Read())
                    {
                        problem = "data after the object";
                        return false;
                    }

                    if (keyProperty is not null && key is null)
                    {
                        problem = "no \"" + keyProperty + "\" string";
                        return false;
                    }

                    return true;
                }

                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && keyProperty is not null && reader.ValueTextEquals(keyProperty))
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
