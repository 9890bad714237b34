using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Evaluation.Metrics;

namespace EhrR1.Graph.Evaluation.Bench;

/// <summary>
/// Reads EHR-Bench JSONL: ours (<c>idx, sample_id, instruction, input, output, candidates, task_info</c>) and the released
/// format (no <c>sample_id</c>; <c>task_info</c> with <c>target</c> as a raw JSON string). Lenient about what can be
/// derived, strict about what cannot:
/// <list type="bullet">
/// <item>task name: <c>task_info.task</c>, else <c>task_info.task_name</c>, else the prefix of <c>sample_id</c> before ':'.</item>
/// <item>family: <c>task_info.task_type</c> (decision_making | risk_prediction); else risk when the metric is aucroc or the
/// candidates are exactly yes/no.</item>
/// <item>gold: <c>task_info.label</c> (string or list), else <c>task_info.target</c> (a list, or a JSON-encoded list/string), else <c>output</c>.</item>
/// <item>sample id: <c>sample_id</c>; else <see cref="EhrBenchSampleIds.Derive"/> (the rule every reader of the
/// format shares), stable across runs and resumes.</item>
/// </list>
/// Duplicate sample ids are an error (predictions are keyed by them).
/// </summary>
public static class EhrBenchReader
{
    /// <summary>Reads every sample; with <paramref name="includeText"/> false the instruction and input are not kept.</summary>
    public static async IAsyncEnumerable<BenchSample> ReadAsync(
        string path,
        bool includeText,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        JsonlKind.EhrBench.Require(path);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var line in JsonlReader.ReadAsync<JsonElement>(path, cancellationToken: cancellationToken))
        {
            var sample = Parse(path, line.LineNumber, line.Value, includeText);
            if (!seen.Add(sample.SampleId))
            {
                throw new InputDataException(
                    "EHR-EVAL-006", path, line.LineNumber, "sample_id", "the sample id occurs more than once",
                    expected: "unique sample ids (predictions are keyed by them)",
                    found: "sample id " + sample.SampleId + " again",
                    fix: "Remove the duplicate records, or give each record its own sample_id");
            }

            yield return sample;
        }
    }

    /// <summary>Parses one record.</summary>
    public static BenchSample Parse(string path, long lineNumber, JsonElement record, bool includeText)
    {
        if (record.ValueKind != JsonValueKind.Object)
        {
            throw new InputDataException("EHR-EVAL-001", path, lineNumber, null, "the line is not a JSON object", expected: "an EHR-Bench record object", found: "a JSON " + record.ValueKind.ToString().ToLowerInvariant());
        }

        var taskInfo = record.TryGetProperty("task_info", out var ti) && ti.ValueKind == JsonValueKind.Object ? ti : default;
        var hasTaskInfo = taskInfo.ValueKind == JsonValueKind.Object;
        var givenId = GetString(record, "sample_id");

        var task = (hasTaskInfo ? GetString(taskInfo, "task") ?? GetString(taskInfo, "task_name") : null)
            ?? (givenId is not null && givenId.Contains(':', StringComparison.Ordinal) ? givenId[..givenId.IndexOf(':', StringComparison.Ordinal)] : null);
        if (string.IsNullOrWhiteSpace(task))
        {
            throw new InputDataException(
                "EHR-EVAL-002", path, lineNumber, "task_info.task", "the task name is missing",
                expected: "task_info.task (or task_info.task_name, or a sample_id of the form task:subject:index)",
                found: hasTaskInfo ? "task_info fields: " + string.Join(", ", taskInfo.EnumerateObject().Select(p => p.Name)) : "no task_info object",
                fix: "Export the bench with `ehr-graph tasks export`, or add task_info.task");
        }

        var candidates = ReadStringList(record, "candidates") ?? [];
        var metric = (hasTaskInfo ? GetString(taskInfo, "metric") : null)?.Trim().ToLowerInvariant();
        var taskType = hasTaskInfo ? GetString(taskInfo, "task_type")?.Trim().ToLowerInvariant() : null;
        var family = taskType switch
        {
            "risk_prediction" or "risk" => TaskFamily.RiskPrediction,
            "decision_making" or "decision" => TaskFamily.DecisionMaking,
            null or "" => metric is "aucroc" or "auroc" || IsYesNo(candidates) ? TaskFamily.RiskPrediction : TaskFamily.DecisionMaking,
            _ => throw new InputDataException(
                "EHR-EVAL-003", path, lineNumber, "task_info.task_type", "the task type is unknown",
                expected: "decision_making or risk_prediction", found: "a value of length " + taskType.Length.ToString(CultureInfo.InvariantCulture)),
        };
        metric ??= family == TaskFamily.RiskPrediction ? "aucroc" : "f1";

        var scoring = family == TaskFamily.RiskPrediction
            ? TaskScoring.Risk
            : string.Equals(task, "next_event", StringComparison.Ordinal) || metric == "acc"
                ? TaskScoring.NextEvent
                : string.Equals(task, "discharge", StringComparison.Ordinal) || metric.StartsWith("rouge", StringComparison.Ordinal)
                    ? TaskScoring.Generation
                    : TaskScoring.LabelSet;

        var goldText = ReadGold(path, lineNumber, record, taskInfo, hasTaskInfo);
        var gold = scoring == TaskScoring.Generation ? (IReadOnlyList<string>)[goldText] : AnswerText.NormalizeLines(goldText);
        if (gold.Count == 0)
        {
            throw new InputDataException(
                "EHR-EVAL-004", path, lineNumber, "output", "the gold answer is empty",
                expected: "a non-empty label (task_info.label, task_info.target or output)", fix: "Remove the record or repair its label");
        }

        var riskPositive = false;
        if (scoring == TaskScoring.Risk)
        {
            var label = gold[0];
            if (gold.Count != 1 || (label != "yes" && label != "no"))
            {
                throw new InputDataException(
                    "EHR-EVAL-005", path, lineNumber, "task_info.label", "a risk task's label is not yes or no",
                    expected: "\"yes\" or \"no\"", found: gold.Count.ToString(CultureInfo.InvariantCulture) + " line(s)");
            }

            riskPositive = label == "yes";
        }

        var instruction = GetString(record, "instruction") ?? string.Empty;
        var input = GetString(record, "input") ?? string.Empty;
        string sampleId;
        var derived = false;
        if (!string.IsNullOrWhiteSpace(givenId))
        {
            sampleId = givenId;
        }
        else
        {
            derived = true;
            sampleId = EhrBenchSampleIds.Derive(task, EhrBenchSampleIds.IdxOf(record), lineNumber, instruction, input);
        }

        if (includeText && input.Length == 0)
        {
            throw new InputDataException(
                "EHR-EVAL-007", path, lineNumber, "input", "the EHR input is missing or empty",
                expected: "the rendered EHR markdown in \"input\"", fix: "Export the bench with inputs rendered");
        }

        return new BenchSample
        {
            Line = lineNumber,
            SampleId = sampleId,
            SampleIdDerived = derived,
            Task = task,
            Family = family,
            Scoring = scoring,
            DeclaredMetric = metric,
            Instruction = includeText ? instruction : string.Empty,
            Input = includeText ? input : string.Empty,
            Candidates = candidates,
            Gold = gold,
            GoldText = goldText,
            RiskPositive = riskPositive,
        };
    }

    private static string ReadGold(string path, long lineNumber, JsonElement record, JsonElement taskInfo, bool hasTaskInfo)
    {
        if (hasTaskInfo)
        {
            if (taskInfo.TryGetProperty("label", out var label) && FromLabelValue(label) is { } fromLabel)
            {
                return fromLabel;
            }

            if (taskInfo.TryGetProperty("target", out var target) && FromLabelValue(target) is { } fromTarget)
            {
                return fromTarget;
            }
        }

        if (GetString(record, "output") is { } output)
        {
            return output;
        }

        throw new InputDataException(
            "EHR-EVAL-004", path, lineNumber, "output", "the gold answer is missing",
            expected: "task_info.label, task_info.target or output");
    }

    /// <summary>A label value: a list of strings (joined by "\n"), a string, or a string holding a JSON list or string.</summary>
    private static string? FromLabelValue(JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Array:
                return string.Join("\n", value.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!));
            case JsonValueKind.String:
                var s = value.GetString()!;
                var t = s.TrimStart();
                if (t.StartsWith('[') || t.StartsWith('"'))
                {
                    try
                    {
                        using var doc = JsonDocument.Parse(s);
                        return FromLabelValue(doc.RootElement.Clone());
                    }
                    catch (JsonException)
                    {
                        return s;
                    }
                }

                return s;
            default:
                return null;
        }
    }

    private static bool IsYesNo(List<string> candidates) =>
        candidates.Count == 2
        && candidates.Any(c => string.Equals(c.Trim(), "yes", StringComparison.OrdinalIgnoreCase))
        && candidates.Any(c => string.Equals(c.Trim(), "no", StringComparison.OrdinalIgnoreCase));

    private static string? GetString(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static List<string>? ReadStringList(JsonElement obj, string name)
    {
        if (!obj.TryGetProperty(name, out var v))
        {
            return null;
        }

        if (v.ValueKind == JsonValueKind.Array)
        {
            return v.EnumerateArray().Where(e => e.ValueKind == JsonValueKind.String).Select(e => e.GetString()!).ToList();
        }

        return v.ValueKind == JsonValueKind.String && FromLabelValue(v) is { } s
            ? s.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList()
            : null;
    }
}
