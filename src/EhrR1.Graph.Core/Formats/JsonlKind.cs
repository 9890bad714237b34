using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Core.Formats;

/// <summary>
/// A kind of JSONL file that stages hand each other, known by the fields every record has. A stage checks its input's
/// first record with <see cref="Require"/> before it reads the file, so a file of another kind (evidence given as
/// samples, say) stops the run with EHR-IO-005 instead of running to the end with every record unusable.
/// </summary>
/// <param name="Name">What the records are, for messages ("sample concepts").</param>
/// <param name="Producer">The command that writes such a file.</param>
/// <param name="Fields">Fields every record of the kind has (snake_case, as written).</param>
public sealed record JsonlKind(string Name, string Producer, IReadOnlyList<string> Fields)
{
    /// <summary>Rows of a task index or a task sample (<c>tasks index</c>, <c>tasks sample</c>).</summary>
    public static readonly JsonlKind TaskSamples = new("task samples", "ehr-graph tasks sample", ["sample_id", "subject_id", "task", "context_begin", "context_end"]);

    /// <summary>A sample's target and history concepts (<c>concepts samples</c>).</summary>
    public static readonly JsonlKind SampleConcepts = new("sample concepts", "ehr-graph concepts samples", ["sample_id", "task", "targets"]);

    /// <summary>Thinking graphs (<c>evidence search</c>).</summary>
    public static readonly JsonlKind Evidence = new("evidence records", "ehr-graph evidence search", ["sample_id", "status", "paths"]);

    /// <summary>EHR-Bench records (<c>tasks export</c>, or the released bench, whose records may lack a sample_id).</summary>
    public static readonly JsonlKind EhrBench = new("EHR-Bench records", "ehr-graph tasks export", ["input"]);

    /// <summary>EHR-Ins chat records (<c>tasks export --format ehr-ins</c>).</summary>
    public static readonly JsonlKind EhrIns = new("EHR-Ins chat records", "ehr-graph tasks export --format ehr-ins", ["sample_id", "messages"]);

    /// <summary>Reasoning chains (<c>reason</c>).</summary>
    public static readonly JsonlKind Reasoning = new("reasoning records", "ehr-graph reason", ["sample_id", "chains"]);

    private static readonly JsonlKind[] Known = [TaskSamples, SampleConcepts, Evidence, EhrBench, EhrIns, Reasoning];

    /// <summary>
    /// Checks that the first record of <paramref name="path"/> has every field of this kind; an empty file, or a first
    /// line that is not a JSON object, is left to the reader (which reports it with its own code).
    /// </summary>
    public void Require(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            return;
        }

        var (line, text) = FirstRecord(path);
        if (text is null)
        {
            return;
        }

        JsonElement record;
        try
        {
            using var document = JsonDocument.Parse(text);
            record = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }

        if (record.ValueKind != JsonValueKind.Object)
        {
            return;
        }

        var missing = Fields.FirstOrDefault(f => !record.TryGetProperty(f, out _));
        if (missing is null)
        {
            return;
        }

        var looksLike = Known.FirstOrDefault(k => k != this && k.Fields.All(f => record.TryGetProperty(f, out _)));
        var found = looksLike is null
            ? "a record without \"" + missing + "\" (its fields: " + string.Join(", ", record.EnumerateObject().Select(p => p.Name).Take(12)) + ")"
            : "a record without \"" + missing + "\"; the file looks like " + looksLike.Name + ", the output of `" + looksLike.Producer + "`";
        throw new InputDataException(
            "EHR-IO-005",
            path,
            line,
            missing,
            "the file is not " + Name,
            expected: Name + " (the output of `" + Producer + "`), whose records have the fields " + string.Join(", ", Fields),
            found: found,
            fix: "Pass the output of `" + Producer + "` here");
    }

    private static (long Line, string? Text) FirstRecord(string path)
    {
        using var reader = new StreamReader(path, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: true);
        long line = 0;
        while (reader.ReadLine() is { } text)
        {
            line++;
            if (!string.IsNullOrWhiteSpace(text))
            {
                return (line, text);
            }
        }

        return (line, null);
    }
}
