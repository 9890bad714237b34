using System.Text;
using EhrR1.Graph.Evaluation.Scoring;
using EhrR1.Graph.Reports.Evaluation;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>Maps evaluation results onto the Reports charts (composition only; the plotting lives in Reports).</summary>
internal static class EvalPlots
{
    /// <summary>plots/roc-{task}, plots/roc-all (risk tasks) and plots/tasks-primary (per-task bars with 95% CI).</summary>
    public static List<string> WriteRunPlots(EvaluationResult result, string outputDirectory)
    {
        var dir = Path.Combine(outputDirectory, "plots");
        var files = new List<string>();
        var risk = result.Tasks.Where(t => t.Roc is { Count: > 1 }).ToList();
        foreach (var t in risk)
        {
            files.AddRange(EvaluationCharts.SaveRoc(
                "ROC: " + t.Task + " (" + result.Model + ")",
                [ToSeries(t.Task, t)],
                Path.Combine(dir, "roc-" + SafeName(t.Task))));
        }

        if (risk.Count > 1)
        {
            files.AddRange(EvaluationCharts.SaveRoc("ROC: risk tasks (" + result.Model + ")", risk.Select(t => ToSeries(t.Task, t)).ToList(), Path.Combine(dir, "roc-all")));
        }

        if (result.Tasks.Count > 0)
        {
            var categories = result.Tasks.Select(t => t.Task + " (" + t.PrimaryMetric + ")").ToList();
            var series = new BarSeries(
                result.Model,
                result.Tasks.Select(t => t.Primary.Value).ToList(),
                result.Tasks.Select(t => t.Primary.CiLow).ToList(),
                result.Tasks.Select(t => t.Primary.CiHigh).ToList());
            files.AddRange(EvaluationCharts.SaveBars("EHR-Bench per task: " + result.Model, "primary metric (95% CI)", categories, [series], Path.Combine(dir, "tasks-primary")));
        }

        return files;
    }

    /// <summary>comparison-primary (grouped bars) and roc-{task} overlays for risk tasks present in two or more results.</summary>
    public static List<string> WriteComparisonPlots(IReadOnlyList<(string Path, EvaluationResult Result)> results, IReadOnlyList<string> labels, string outputDirectory)
    {
        var files = new List<string>();
        var tasks = ResultComparison.Tasks(results.Select(r => r.Result));
        var categories = tasks.Select(t => t.Task + " (" + t.Metric + ")").ToList();
        var series = new List<BarSeries>();
        for (var i = 0; i < results.Count; i++)
        {
            var byTask = results[i].Result.Tasks.ToDictionary(t => t.Task, StringComparer.Ordinal);
            series.Add(new BarSeries(
                labels[i],
                tasks.Select(t => byTask.TryGetValue(t.Task, out var r) ? r.Primary.Value : null).ToList(),
                tasks.Select(t => byTask.TryGetValue(t.Task, out var r) ? r.Primary.CiLow : null).ToList(),
                tasks.Select(t => byTask.TryGetValue(t.Task, out var r) ? r.Primary.CiHigh : null).ToList()));
        }

        files.AddRange(EvaluationCharts.SaveBars("EHR-Bench comparison", "primary metric (95% CI)", categories, series, Path.Combine(outputDirectory, "comparison-primary")));
        foreach (var (task, _, _) in tasks)
        {
            var curves = new List<RocSeries>();
            for (var i = 0; i < results.Count; i++)
            {
                var t = results[i].Result.Tasks.FirstOrDefault(x => string.Equals(x.Task, task, StringComparison.Ordinal));
                if (t?.Roc is { Count: > 1 })
                {
                    curves.Add(ToSeries(labels[i], t));
                }
            }

            if (curves.Count > 1)
            {
                files.AddRange(EvaluationCharts.SaveRoc("ROC: " + task, curves, Path.Combine(outputDirectory, "plots", "roc-" + SafeName(task))));
            }
        }

        return files;
    }

    private static RocSeries ToSeries(string label, TaskResult t) =>
        new(label, t.Roc!.Select(p => p[0]).ToList(), t.Roc!.Select(p => p[1]).ToList(), t.Primary.Value);

    internal static string SafeName(string name)
    {
        var sb = new StringBuilder(name.Length);
        foreach (var ch in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(ch) || ch is '-' or '_' ? ch : '_');
        }

        return sb.ToString();
    }
}
