using System.Globalization;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Evaluation.Scoring;

/// <summary>Two or more result files side by side.</summary>
public static class ResultComparison
{
    /// <summary>Loads a <c>result.json</c> written by <c>eval run</c> or <c>eval score</c>.</summary>
    public static EvaluationResult Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-EVAL-020", path, null, null, "the result file does not exist", fix: "Pass the result.json written by `ehr-graph eval run` or `eval score`");
        }

        EvaluationResult? result;
        try
        {
            result = JsonSerializer.Deserialize<EvaluationResult>(File.ReadAllText(path), JsonDefaults.Indented);
        }
        catch (JsonException ex)
        {
            throw new InputDataException("EHR-EVAL-021", path, ex.LineNumber + 1, ex.Path, "the file is not an evaluation result", expected: "schema " + EvaluationResult.SchemaName, innerException: ex);
        }

        if (result is null || !string.Equals(result.Schema, EvaluationResult.SchemaName, StringComparison.Ordinal))
        {
            throw new InputDataException("EHR-EVAL-021", path, null, "schema", "the file is not an evaluation result", expected: "schema " + EvaluationResult.SchemaName, found: result?.Schema ?? "null");
        }

        return result;
    }

    /// <summary>Column labels: the model names, made unique with the file name where two results share one.</summary>
    public static IReadOnlyList<string> Labels(IReadOnlyList<(string Path, EvaluationResult Result)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var labels = results.Select(r => r.Result.Model).ToList();
        for (var i = 0; i < labels.Count; i++)
        {
            if (labels.Count(l => string.Equals(l, labels[i], StringComparison.Ordinal)) > 1)
            {
                labels[i] = results[i].Result.Model + " (" + results[i].Path + ")";
            }
        }

        return labels;
    }

    /// <summary>Tasks in the order they first appear (family-sorted in each result).</summary>
    public static IReadOnlyList<(string Task, string Family, string Metric)> Tasks(IEnumerable<EvaluationResult> results) =>
        results.SelectMany(r => r.Tasks)
            .Select(t => (t.Task, t.Family, t.PrimaryMetric))
            .Distinct()
            .OrderBy(t => t.Family, StringComparer.Ordinal)
            .ThenBy(t => t.Task, StringComparer.Ordinal)
            .ToList();

    public static string ToMarkdown(IReadOnlyList<(string Path, EvaluationResult Result)> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var labels = Labels(results);
        var sb = new StringBuilder();
        sb.Append("# EHR-Bench comparison\n\n");
        sb.Append("Primary metric per task with its 95% bootstrap interval and sample count n; \"-\" = task not evaluated; a risk task whose test split holds one class has no AUROC (\"one class in test split\"), and the macro average leaves it out.\n\n");
        sb.Append("| task | family | metric |");
        foreach (var l in labels)
        {
            sb.Append(' ').Append(MarkdownReport.Escape(l)).Append(" |");
        }

        sb.Append("\n|---|---|---|").Append(string.Concat(Enumerable.Repeat("---|", labels.Count))).Append('\n');
        foreach (var (task, family, metric) in Tasks(results.Select(r => r.Result)))
        {
            sb.Append("| ").Append(MarkdownReport.Escape(task)).Append(" | ").Append(family).Append(" | ").Append(metric).Append(" |");
            foreach (var (_, r) in results)
            {
                var t = r.Tasks.FirstOrDefault(x => string.Equals(x.Task, task, StringComparison.Ordinal));
                sb.Append(' ').Append(t is null ? "-" : MarkdownReport.OneClass(t) ? MarkdownReport.PrimaryCell(t) : MarkdownReport.WithCi(t.Primary) + " (n=" + t.N.ToString(CultureInfo.InvariantCulture) + ")").Append(" |");
            }

            sb.Append('\n');
        }

        var groups = results.SelectMany(r => r.Result.Macro.Select(m => m.Group)).Distinct(StringComparer.Ordinal).ToList();
        foreach (var g in groups)
        {
            sb.Append("| **macro ").Append(g).Append("** | | primary |");
            foreach (var (_, r) in results)
            {
                var m = r.Macro.FirstOrDefault(x => string.Equals(x.Group, g, StringComparison.Ordinal));
                sb.Append(' ').Append(m is null ? "-" : MarkdownReport.WithCi(m.MacroPrimary) + " (" + m.Tasks.ToString(CultureInfo.InvariantCulture) + " tasks, n=" + m.N.ToString(CultureInfo.InvariantCulture) + ")").Append(" |");
            }

            sb.Append('\n');
        }

        var differentSets = results.Select(r => string.Join(",", r.Result.Tasks.Select(t => t.Task + ":" + t.N.ToString(CultureInfo.InvariantCulture)))).Distinct(StringComparer.Ordinal).Count() > 1;
        if (differentSets)
        {
            sb.Append("\nNote: the results cover different tasks or sample counts; macro averages are not directly comparable.\n");
        }

        return sb.ToString();
    }
}
