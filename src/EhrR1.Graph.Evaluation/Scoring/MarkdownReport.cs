using System.Globalization;
using System.Text;

namespace EhrR1.Graph.Evaluation.Scoring;

/// <summary>Renders an <see cref="EvaluationResult"/> as Markdown tables (numbers with three decimals, invariant culture).</summary>
public static class MarkdownReport
{
    public static string Render(EvaluationResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.Append("# EHR-Bench evaluation: ").Append(Escape(result.Model)).Append("\n\n");
        sb.Append(Inv($"Bench `{result.Bench}`: {result.Samples} samples, {result.Scored} scored. "));
        sb.Append(Inv($"Intervals: {result.Bootstrap.Confidence:P0} percentile bootstrap, {result.Bootstrap.Resamples} resamples, seed {result.Bootstrap.Seed}, resampling samples within each task (risk tasks within each class). "));
        sb.Append("Primary metric: F1 for label-set tasks, accuracy for next_event, AUROC for risk tasks, ROUGE-1 F for discharge.\n\n");

        sb.Append("## Summary\n\n| group | tasks | n | macro of primary metrics [95% CI] |\n|---|---:|---:|---|\n");
        foreach (var m in result.Macro)
        {
            sb.Append(Inv($"| {m.Group} | {m.Tasks} | {m.N} | {WithCi(m.MacroPrimary)} |\n"));
        }

        var oneClass = result.Tasks.Count(OneClass);
        if (oneClass > 0)
        {
            sb.Append(Inv($"\n{oneClass} of {result.Tasks.Count(t => t.Family == Bench.TaskFamilyNames.RiskPrediction)} risk tasks hold one class in the test split, so they have no AUROC; the macro averages leave them out. n = scored samples.\n"));
        }

        var decision = result.Tasks.Where(t => t.Family == Bench.TaskFamilyNames.DecisionMaking).ToList();
        if (decision.Count > 0)
        {
            sb.Append("\n## Decision-making tasks\n\n| task | metric | n | missing | value [95% CI] | precision | recall | exact match |\n|---|---|---:|---:|---|---:|---:|---:|\n");
            foreach (var t in decision)
            {
                sb.Append(Inv($"| {Escape(t.Task)} | {t.PrimaryMetric} | {t.N} | {t.Missing} | {WithCi(t.Primary)} | {Num(t.Metrics.GetValueOrDefault(EvaluationScorer.Precision))} | {Num(t.Metrics.GetValueOrDefault(EvaluationScorer.Recall))} | {Num(t.Metrics.GetValueOrDefault(EvaluationScorer.ExactMatch))} |\n"));
            }
        }

        var risk = result.Tasks.Where(t => t.Family == Bench.TaskFamilyNames.RiskPrediction).ToList();
        if (risk.Count > 0)
        {
            sb.Append(Inv($"\n## Risk-prediction tasks\n\nECE uses {result.CalibrationBins} equal-width bins of P(yes). \"from text\": samples without log-probabilities, scored 1/0/0.5 from the answer text.\n\n"));
            sb.Append("| task | n | missing | yes / no | AUROC [95% CI] | accuracy@0.5 | Brier | ECE | from text |\n|---|---:|---:|---:|---|---:|---:|---:|---:|\n");
            foreach (var t in risk)
            {
                sb.Append(Inv($"| {Escape(t.Task)} | {t.N} | {t.Missing} | {t.Positives} / {t.Negatives} | {PrimaryCell(t)} | {Num(t.Metrics.GetValueOrDefault(EvaluationScorer.Accuracy))} | {Num(t.Metrics.GetValueOrDefault(EvaluationScorer.Brier))} | {Num(t.Metrics.GetValueOrDefault(EvaluationScorer.Ece))} | {t.ProbabilityFromText} |\n"));
            }
        }

        var unterminated = result.Tasks.Sum(t => t.UnterminatedThinking);
        if (unterminated > 0)
        {
            sb.Append(Inv($"\n{unterminated} outputs opened <think> without closing it (cut off while thinking); their answers were scored as empty.\n"));
        }

        return sb.ToString();
    }

    /// <summary>A task's primary metric with its interval; a risk task whose split holds one class has no AUROC and says
    /// so, with its n, instead of "n/a".</summary>
    internal static string PrimaryCell(TaskResult t) =>
        OneClass(t) ? Inv($"one class in test split (n={t.N})") : WithCi(t.Primary);

    /// <summary>A risk task whose scored samples are all "yes" or all "no" (AUROC undefined).</summary>
    internal static bool OneClass(TaskResult t) =>
        t.Family == Bench.TaskFamilyNames.RiskPrediction && t.N > 0 && (t.Positives == 0 || t.Negatives == 0) && t.Positives is not null && t.Negatives is not null;

    internal static string WithCi(MetricValue v) =>
        v.Value is null ? "n/a"
        : v.CiLow is null ? Num(v.Value)
        : Num(v.Value) + " [" + Num(v.CiLow) + ", " + Num(v.CiHigh) + "]";

    internal static string Num(double? v) => v is { } x && double.IsFinite(x) ? x.ToString("F3", CultureInfo.InvariantCulture) : "n/a";

    internal static string Escape(string s) => s.Replace("|", "\\|", StringComparison.Ordinal);

    private static string Inv(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
