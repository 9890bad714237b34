using System.Runtime.CompilerServices;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Reasoning.Input;

/// <summary>
/// Streams EHR-Bench JSONL (tasks export or the released files) as <see cref="ReasoningSample"/>s.
/// Required: <c>instruction</c>, <c>input</c> (strings), and labels from <c>task_info.label</c> (list or string),
/// else <c>task_info.target</c>, else <c>output</c> split on newlines. Optional: <c>sample_id</c> (else
/// <see cref="EhrBenchSampleIds.Derive"/>, the rule the evaluation reader shares), <c>idx</c> (else the line number − 1), task name from <c>task_info.task</c>,
/// <c>task_info.task_name</c>, <c>task</c> or <c>task_info.event</c>; <c>task_info.task_type</c>.
/// </summary>
public static class BenchSampleReader
{
    public static async IAsyncEnumerable<ReasoningSample> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var line in JsonlReader.ReadAsync<JsonElement>(path, cancellationToken: cancellationToken))
        {
            yield return Parse(path, line.LineNumber, line.Value);
        }
    }

    public static ReasoningSample Parse(string path, long lineNumber, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputDataException("EHR-RSN-001", path, lineNumber, null, "the record is not a JSON object", expected: "an EHR-Bench record object");
        }

        var instruction = RequiredString(path, lineNumber, root, "instruction");
        var input = RequiredString(path, lineNumber, root, "input");
        root.TryGetProperty("task_info", out var info);
        if (info.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            throw new InputDataException("EHR-RSN-002", path, lineNumber, "task_info", "task_info is not an object", expected: "an object with label, task_type, task", found: info.ValueKind.ToString());
        }

        var task = StringOf(info, "task") ?? StringOf(info, "task_name") ?? StringOf(root, "task") ?? StringOf(info, "event") ?? "unknown";
        var taskType = StringOf(info, "task_type") ?? "unknown";
        long idx = root.TryGetProperty("idx", out var ix) && ix.ValueKind == JsonValueKind.Number && ix.TryGetInt64(out var i) ? i : lineNumber - 1;
        var (labels, isString) = ReadLabels(path, lineNumber, root, info);
        var sampleId = StringOf(root, "sample_id") ?? EhrBenchSampleIds.Derive(task, EhrBenchSampleIds.IdxOf(root), lineNumber, instruction, input);
        return new ReasoningSample(sampleId, idx, task, taskType, instruction, input, labels, isString, lineNumber);
    }

    private static (IReadOnlyList<string> Labels, bool IsString) ReadLabels(string path, long lineNumber, JsonElement root, JsonElement info)
    {
        foreach (var (element, field) in new[] { (Prop(info, "label"), "task_info.label"), (Prop(info, "target"), "task_info.target") })
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Array:
                    return (element.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList(), false);
                case JsonValueKind.String:
                    var text = element.GetString()!;
                    // The upstream CSV stores list targets as a JSON list string.
                    if (text.StartsWith('[') && TryParseList(text) is { } list)
                    {
                        return (list, false);
                    }

                    return ([text], true);
                case JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False:
                    return ([element.GetRawText()], true);
                case JsonValueKind.Undefined or JsonValueKind.Null:
                    continue;
                default:
                    throw new InputDataException("EHR-RSN-003", path, lineNumber, field, "the label has an unexpected type", expected: "a list of strings or a string", found: element.ValueKind.ToString());
            }
        }

        if (StringOf(root, "output") is { } output)
        {
            var lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            return (lines, lines.Length == 1);
        }

        throw new InputDataException("EHR-RSN-004", path, lineNumber, "task_info.label", "the record has no label", expected: "task_info.label, task_info.target or output");
    }

    private static List<string>? TryParseList(string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.ValueKind == JsonValueKind.Array
                ? doc.RootElement.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList()
                : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static JsonElement Prop(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) ? v : default;

    private static string? StringOf(JsonElement e, string name) =>
        Prop(e, name) is { ValueKind: JsonValueKind.String } v && v.GetString() is { Length: > 0 } s ? s : null;

    private static string RequiredString(string path, long lineNumber, JsonElement root, string name)
    {
        var v = Prop(root, name);
        if (v.ValueKind != JsonValueKind.String)
        {
            throw new InputDataException("EHR-RSN-005", path, lineNumber, name, "a required field is missing or not a string", expected: "a string", found: v.ValueKind == JsonValueKind.Undefined ? "no such field" : v.ValueKind.ToString(),
                fix: "Produce the file with `ehr-graph tasks export`, or use the released EHR-Bench JSONL");
        }

        return v.GetString()!;
    }
}
