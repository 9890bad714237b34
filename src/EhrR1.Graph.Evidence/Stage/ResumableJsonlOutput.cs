using System.Text.Json;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>
/// The append-only partial output of a resumable stage (<c>OUT.partial</c>). On resume, a torn last line (no final
/// newline) is cut off, and every sample id already present is returned so it is skipped; a complete line that is not
/// valid JSON is an error (the file was edited or corrupted, not interrupted).
/// </summary>
internal static class ResumableJsonlOutput
{
    public static string PartialPathFor(string output) => output + ".partial";

    /// <summary>Truncates a torn last line and returns the sample ids already written.</summary>
    public static HashSet<string> Recover(string partialPath, out long tornBytes)
    {
        tornBytes = 0;
        var done = new HashSet<string>(StringComparer.Ordinal);
        if (!File.Exists(partialPath))
        {
            return done;
        }

        using (var fs = new FileStream(partialPath, FileMode.Open, FileAccess.ReadWrite, FileShare.None))
        {
            var length = fs.Length;
            var end = length;
            var one = new byte[1];
            while (end > 0)
            {
                fs.Position = end - 1;
                fs.ReadExactly(one);
                if (one[0] == (byte)'\n')
                {
                    break;
                }

                end--;
            }

            if (end < length)
            {
                tornBytes = length - end;
                fs.SetLength(end);
                fs.Flush(flushToDisk: true);
            }
        }

        long lineNumber = 0;
        foreach (var line in File.ReadLines(partialPath))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }

            string? id;
            try
            {
                using var doc = JsonDocument.Parse(line);
                id = doc.RootElement.TryGetProperty("sample_id", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
            }
            catch (JsonException ex)
            {
                throw new InputDataException("EHR-EV-020", partialPath, lineNumber, null, "a complete line of the partial output is not valid JSON", fix: "Delete the partial file to start over", innerException: ex);
            }

            if (string.IsNullOrEmpty(id) || !done.Add(id))
            {
                throw new InputDataException("EHR-EV-021", partialPath, lineNumber, "sample_id", "the partial output has a line without a sample id, or a sample id twice", fix: "Delete the partial file to start over");
            }
        }

        return done;
    }
}
