using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// Streams a JSONL file line by line: the one JSONL reader of the solution. Blank (or white-space) lines are skipped but
/// counted, so line numbers are physical lines. Errors name the file and the line, never the content: a missing file,
/// bytes that are not UTF-8, a line that is not the record type (<c>EHR-IO-001</c> to <c>EHR-IO-004</c>).
/// </summary>
public static class JsonlReader
{
    /// <summary>One parsed line.</summary>
    public readonly record struct Line<T>(long LineNumber, T Value);

    /// <summary>Reads every non-blank line of <paramref name="path"/> as <typeparamref name="T"/>.</summary>
    public static async IAsyncEnumerable<Line<T>> ReadAsync<T>(
        string path,
        JsonSerializerOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ThrowIfMissing(path);
        using var reader = Open(path);
        long lineNumber = 0;
        while (true)
        {
            string? text;
            try
            {
                text = await reader.ReadLineAsync(cancellationToken);
            }
            catch (DecoderFallbackException ex)
            {
                throw NotUtf8(path, lineNumber, ex);
            }

            if (text is null)
            {
                yield break;
            }

            lineNumber++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return new Line<T>(lineNumber, Parse<T>(text, path, lineNumber, options));
            }
        }
    }

    /// <summary>Reads every non-blank line of <paramref name="path"/> as <typeparamref name="T"/>, synchronously (for
    /// callers that stream into synchronous code).</summary>
    public static IEnumerable<Line<T>> Read<T>(string path, JsonSerializerOptions? options = null, CancellationToken cancellationToken = default)
    {
        ThrowIfMissing(path);
        using var reader = Open(path);
        long lineNumber = 0;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var text = ReadLine(reader, path, lineNumber);
            if (text is null)
            {
                yield break;
            }

            lineNumber++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                yield return new Line<T>(lineNumber, Parse<T>(text, path, lineNumber, options));
            }
        }
    }

    private static void ThrowIfMissing(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-IO-001", path, null, null, "the file does not exist", fix: "Check the path, or run the stage that produces it first");
        }
    }

    private static StreamReader Open(string path) =>
        new(path, TextEncodings.Utf8Strict, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);

    private static string? ReadLine(StreamReader reader, string path, long lineNumber)
    {
        try
        {
            return reader.ReadLine();
        }
        catch (DecoderFallbackException ex)
        {
            throw NotUtf8(path, lineNumber, ex);
        }
    }

    private static InputDataException NotUtf8(string path, long lineNumber, DecoderFallbackException ex) =>
        new("EHR-IO-002", path, lineNumber + 1, null, "the file is not valid UTF-8", fix: "Re-encode the file as UTF-8", innerException: ex);

    /// <summary>The error for a line that is not a valid JSON record of <paramref name="typeName"/> (EHR-IO-003).</summary>
    internal static InputDataException InvalidRecord(JsonException ex, string path, long? lineNumber, string typeName, string fix) =>
        new(
            "EHR-IO-003",
            path,
            lineNumber,
            ex.Path,
            "the line is not a valid record",
            expected: "one JSON object per line of type " + typeName,
            found: "a JSON error at byte " + (ex.BytePositionInLine ?? 0),
            fix: fix,
            innerException: ex);

    private static T Parse<T>(string text, string path, long lineNumber, JsonSerializerOptions? options)
    {
        T? value;
        try
        {
            value = JsonSerializer.Deserialize<T>(text, options ?? JsonDefaults.Jsonl);
        }
        catch (JsonException ex)
        {
            throw InvalidRecord(ex, path, lineNumber, typeof(T).Name, "Repair or remove the line; if the file was cut short by a crash, re-run the stage that wrote it");
        }

        if (value is null)
        {
            throw new InputDataException("EHR-IO-004", path, lineNumber, null, "the line is JSON null", expected: "a JSON object");
        }

        return value;
    }
}
