using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.Evaluation.Metrics;
using EhrR1.Graph.Evaluation.Predictions;

namespace EhrR1.Graph.Evaluation.Baselines;

/// <summary>
/// The frequency baseline: what the training split alone predicts, with no patient data. Per label-set task, the
/// task's most frequent training labels, as many as maximise the mean training F1; per next-event or generation task,
/// the most frequent training answer; per risk task, P(yes) = the training prevalence (so its AUROC is 0.5 by
/// construction: a floor the model must beat). Deterministic: ties go to the ordinal-first label.
/// </summary>
public sealed class FrequencyBaseline
{
    private readonly Dictionary<string, IReadOnlyList<string>> _labels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _answers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _prevalence = new(StringComparer.Ordinal);

    private FrequencyBaseline()
    {
    }

    /// <summary>Fits the baseline on training samples (gold only).</summary>
    public static FrequencyBaseline Fit(IEnumerable<BenchSample> training)
    {
        ArgumentNullException.ThrowIfNull(training);
        var baseline = new FrequencyBaseline();
        foreach (var group in training.GroupBy(s => s.Task, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var samples = group.ToList();
            switch (samples[0].Scoring)
            {
                case TaskScoring.Risk:
                    baseline._prevalence[group.Key] = samples.Count(s => s.RiskPositive) / (double)samples.Count;
                    break;
                case TaskScoring.LabelSet:
                    baseline._labels[group.Key] = BestLabelList(samples);
                    break;
                default:
                    baseline._answers[group.Key] = samples
                        .Select(s => AnswerText.NormalizeLines(s.GoldText) is { Count: > 0 } lines ? lines[0] : string.Empty)
                        .GroupBy(a => a, StringComparer.Ordinal)
                        .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                        .First().Key;
                    break;
            }
        }

        return baseline;
    }

    /// <summary>The baseline's prediction for <paramref name="sample"/> (a task unseen in training: an empty answer, or
    /// P(yes) = 0.5).</summary>
    public PredictionRecord Predict(BenchSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Scoring == TaskScoring.Risk)
        {
            var p = _prevalence.GetValueOrDefault(sample.Task, 0.5);
            return new PredictionRecord { SampleId = sample.SampleId, Task = sample.Task, Text = p >= 0.5 ? "yes" : "no", PYes = p, ProbabilitySource = "training_prevalence" };
        }

        var text = sample.Scoring == TaskScoring.LabelSet
            ? string.Join('\n', _labels.GetValueOrDefault(sample.Task) ?? [])
            : _answers.GetValueOrDefault(sample.Task, string.Empty);
        return new PredictionRecord { SampleId = sample.SampleId, Task = sample.Task, Text = text };
    }

    /// <summary>The k most frequent labels, with k (1..50) maximising the mean set F1 over the training samples.</summary>
    internal static IReadOnlyList<string> BestLabelList(IReadOnlyList<BenchSample> samples)
    {
        var ranked = samples.SelectMany(s => s.Gold.Distinct(StringComparer.Ordinal))
            .GroupBy(l => l, StringComparer.Ordinal)
            .OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => g.Key).Take(LabelCount.Max).ToList();
        var golds = samples.Select(s => ((IReadOnlyList<string>)ranked, s.Gold.ToHashSet(StringComparer.Ordinal))).ToList();
        return ranked.Take(LabelCount.Best(golds, ranked.Count)).ToList();
    }
}
