using System.Runtime.CompilerServices;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Core.Formats;

/// <summary>
/// The one reader of <c>evidence.jsonl</c> (one <see cref="EvidenceRecord"/> per line, keyed by <c>sample_id</c>);
/// <see cref="EvidenceWriter"/> is the one writer. A record read back is checked: a missing field or a status that
/// <c>evidence search</c> never writes is an <see cref="InputDataException"/> naming the file, the line and the field.
/// </summary>
public static class EvidenceFile
{
    /// <summary>The property that identifies a record.</summary>
    public const string KeyProperty = "sample_id";

    /// <summary>Streams the records of <paramref name="path"/>, blank lines skipped.</summary>
    public static async IAsyncEnumerable<JsonlReader.Line<EvidenceRecord>> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var line in JsonlReader.ReadAsync<EvidenceRecord>(path, JsonDefaults.Jsonl, cancellationToken))
        {
            Check(line.Value, path, line.LineNumber);
            yield return line;
        }
    }

    /// <summary>Reads one record already parsed (e.g. a line looked up by key); <paramref name="lineNumber"/> names it in errors when known.</summary>
    public static EvidenceRecord Parse(JsonElement element, string path, long? lineNumber = null)
    {
        EvidenceRecord? record;
        try
        {
            record = element.Deserialize<EvidenceRecord>(JsonDefaults.Jsonl);
        }
        catch (JsonException ex)
        {
            throw JsonlReader.InvalidRecord(ex, path, lineNumber, nameof(EvidenceRecord), "Re-run `ehr-graph evidence search` to write the file again");
        }

        if (record is null)
        {
            throw new InputDataException("EHR-IO-004", path, lineNumber, null, "the line is JSON null", expected: "a JSON object");
        }

        Check(record, path, lineNumber);
        return record;
    }

    private static void Check(EvidenceRecord record, string path, long? lineNumber)
    {
        var missing = string.IsNullOrEmpty(record.SampleId) ? KeyProperty
            : string.IsNullOrEmpty(record.Task) ? "task"
            : record.Status is null ? "status"
            : record.Counts is null ? "counts"
            : record.Pairs is null ? "pairs"
            : record.Paths is null ? "paths"
            : record.Rendered is null ? "rendered"
            : null;
        if (missing is not null)
        {
            throw new InputDataException("EHR-FMT-001", path, lineNumber, missing, "an evidence record lacks a required field",
                expected: "the fields written by `ehr-graph evidence search` (docs/formats.md)", fix: "Re-run `ehr-graph evidence search` to write the file again");
        }

        if (!EvidenceStatus.All.Contains(record.Status, StringComparer.Ordinal))
        {
            throw new InputDataException("EHR-FMT-002", path, lineNumber, "status", "an evidence record has an unknown status",
                expected: "one of " + string.Join(", ", EvidenceStatus.All), found: "a value outside that list",
                fix: "Re-run `ehr-graph evidence search` to write the file again");
        }
    }
}
