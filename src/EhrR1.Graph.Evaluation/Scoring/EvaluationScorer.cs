using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.Evaluation.Metrics;
using EhrR1.Graph.Evaluation.Predictions;

namespace EhrR1.Graph.Evaluation.Scoring;

/// <summary>
/// Scores predictions against the bench and aggregates per task, per family and over all tasks.
/// Primary metric per task: F1 (label-set tasks), accuracy (next_event), AUROC (risk), ROUGE-1 F (discharge).
/// Risk samples without a probability get P(yes) from the answer text: 1 if it starts with "yes", 0 if with "no",
/// 0.5 otherwise (counted in <see cref="TaskResult.ProbabilityFromText"/>). Accuracy at 0.5 predicts "yes" when P(yes) ≥ 0.5.
/// </summary>
public static class EvaluationScorer
{
    public const string Precision = "precision";
    public const string Recall = "recall";
    public const string F1 = "f1";
    public const string ExactMatch = "exact_match";
    public const string Accuracy = "accuracy";
    public const string Auroc = "auroc";
    public const string Brier = "brier";
    public const string Ece = "ece";
    public const string Rouge1F = "rouge1_f";

    public static (EvaluationResult Result, IReadOnlyList<SampleScore> Scores) Score(
        IReadOnlyList<BenchSample> samples,
        IReadOnlyDictionary<string, PredictionRecord> predictions,
        string model,
        string bench,
        ScoringSettings settings,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(samples);
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(settings);

        var byTask = new Dictionary<string, TaskAccumulator>(StringComparer.Ordinal);
        var scores = new List<SampleScore>(samples.Count);
        foreach (var sample in samples)
        {
            if (!byTask.TryGetValue(sample.Task, out var acc))
            {
                acc = new TaskAccumulator(sample.Task, sample.Family, sample.Scoring, sample.DeclaredMetric);
                byTask[sample.Task] = acc;
            }

            if (!predictions.TryGetValue(sample.SampleId, out var prediction))
            {
                acc.Missing++;
                continue;
            }

            var score = ScoreSample(sample, prediction);
            acc.Add(score, sample);
            scores.Add(score);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var tasks = byTask.Values
            .OrderBy(t => t.Family)
            .ThenBy(t => t.Task, StringComparer.Ordinal)
            .ToList();

        var resamples = settings.BootstrapResamples;
        var bootstraps = new double[tasks.Count][];
        Parallel.For(
            0,
            tasks.Count,
            new ParallelOptions { CancellationToken = cancellationToken },
            i => bootstraps[i] = resamples > 0 ? tasks[i].BootstrapPrimary(resamples, Bootstrap.RandomFor(settings.Seed, tasks[i].Task)) : []);

        var alpha = (1 - settings.Confidence) / 2;
        var taskResults = new List<TaskResult>(tasks.Count);
        for (var i = 0; i < tasks.Count; i++)
        {
            taskResults.Add(tasks[i].ToResult(bootstraps[i], alpha, settings));
        }

        var macro = new List<MacroResult>();
        foreach (var family in new[] { TaskFamily.DecisionMaking, TaskFamily.RiskPrediction })
        {
            var indices = Enumerable.Range(0, tasks.Count).Where(i => tasks[i].Family == family).ToList();
            if (indices.Count > 0)
            {
                macro.Add(Macro(family.Name(), indices, taskResults, bootstraps, resamples, alpha));
            }
        }

        if (tasks.Count > 0)
        {
            macro.Add(Macro("all", Enumerable.Range(0, tasks.Count).ToList(), taskResults, bootstraps, resamples, alpha));
        }

        var result = new EvaluationResult
        {
            Model = model,
            Bench = bench,
            Samples = samples.Count,
            Scored = scores.Count,
            Bootstrap = new BootstrapInfo(
                resamples,
                settings.Seed,
                settings.Confidence,
                "percentile bootstrap; samples resampled with replacement within each task (risk tasks within each class); macro = mean of task values per resample"),
            CalibrationBins = settings.CalibrationBins,
            Tasks = taskResults,
            Macro = macro,
        };
        return (result, scores);
    }

    /// <summary>Scores one sample.</summary>
    public static SampleScore ScoreSample(BenchSample sample, PredictionRecord prediction)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(prediction);
        var answer = AnswerText.ExtractAnswer(prediction.Text ?? string.Empty, out var unterminated);
        var baseScore = new SampleScore
        {
            SampleId = sample.SampleId,
            Task = sample.Task,
            Family = sample.Family.Name(),
            UnterminatedThinking = unterminated,
        };
        switch (sample.Scoring)
        {
            case TaskScoring.LabelSet:
                var s = SetMetrics.Score(AnswerText.NormalizeLines(answer), sample.Gold);
                return baseScore with { Precision = s.Precision, Recall = s.Recall, F1 = s.F1, ExactMatch = s.ExactMatch };
            case TaskScoring.NextEvent:
                return baseScore with { Correct = SetMetrics.StartsWithMatch(answer, sample.GoldText) };
            case TaskScoring.Generation:
                return baseScore with { Rouge1F = Rouge1.Score(answer, sample.GoldText).F };
            default:
                var fromText = prediction.PYes is not { } p || !double.IsFinite(p);
                var pYes = fromText ? ProbabilityFromText(answer) : Math.Clamp(prediction.PYes!.Value, 0, 1);
                return baseScore with
                {
                    PYes = pYes,
                    Label = sample.RiskPositive ? "yes" : "no",
                    Correct = pYes >= 0.5 == sample.RiskPositive,
                    ProbabilityFromText = fromText,
                };
        }
    }

    private static double ProbabilityFromText(string answer)
    {
        var a = answer.Trim().ToLowerInvariant();
        return a.StartsWith("yes", StringComparison.Ordinal) ? 1 : a.StartsWith("no", StringComparison.Ordinal) ? 0 : 0.5;
    }

    private static MacroResult Macro(string group, List<int> indices, List<TaskResult> results, double[][] bootstraps, int resamples, double alpha)
    {
        var defined = indices.Where(i => results[i].Primary.Value is not null).ToList();
        double? value = defined.Count == 0 ? null : defined.Average(i => results[i].Primary.Value!.Value);
        double? lo = null, hi = null;
        if (resamples > 0 && defined.Count > 0)
        {
            var macro = new double[resamples];
            for (var b = 0; b < resamples; b++)
            {
                double sum = 0;
                var count = 0;
                foreach (var i in defined)
                {
                    var v = bootstraps[i][b];
                    if (double.IsFinite(v))
                    {
                        sum += v;
                        count++;
                    }
                }

                macro[b] = count == defined.Count ? sum / count : double.NaN;
            }

            lo = Bootstrap.Quantile(macro, alpha);
            hi = Bootstrap.Quantile(macro, 1 - alpha);
        }

        var metricNames = indices.SelectMany(i => results[i].Metrics.Keys).Distinct(StringComparer.Ordinal).ToList();
        var macroMetrics = new SortedDictionary<string, double?>(StringComparer.Ordinal);
        foreach (var name in metricNames)
        {
            var values = indices.Select(i => results[i].Metrics.GetValueOrDefault(name)).Where(v => v is not null).Select(v => v!.Value).ToList();
            macroMetrics[name] = values.Count == 0 ? null : values.Average();
        }

        return new MacroResult
        {
            Group = group,
            Tasks = indices.Count,
            N = indices.Sum(i => results[i].N),
            MacroPrimary = new MetricValue(value, lo, hi),
            MacroMetrics = macroMetrics,
        };
    }

    private sealed class TaskAccumulator(string task, TaskFamily family, TaskScoring scoring, string declaredMetric)
    {
        private readonly List<double> _precision = [];
        private readonly List<double> _recall = [];
        private readonly List<double> _f1 = [];
        private readonly List<double> _exact = [];
        private readonly List<double> _correct = [];
        private readonly List<double> _rouge = [];
        private readonly List<double> _pYes = [];
        private readonly List<bool> _positive = [];
        private int _fromText;
        private int _unterminated;

        public string Task { get; } = task;

        public TaskFamily Family { get; } = family;

        public TaskScoring Scoring { get; } = scoring;

        public int Missing { get; set; }

        public int N { get; private set; }

        public void Add(SampleScore s, BenchSample sample)
        {
            N++;
            _unterminated += s.UnterminatedThinking ? 1 : 0;
            switch (Scoring)
            {
                case TaskScoring.LabelSet:
                    _precision.Add(s.Precision!.Value);
                    _recall.Add(s.Recall!.Value);
                    _f1.Add(s.F1!.Value);
                    _exact.Add(s.ExactMatch!.Value ? 1 : 0);
                    break;
                case TaskScoring.NextEvent:
                    _correct.Add(s.Correct!.Value ? 1 : 0);
                    break;
                case TaskScoring.Generation:
                    _rouge.Add(s.Rouge1F!.Value);
                    break;
                default:
                    _pYes.Add(s.PYes!.Value);
                    _positive.Add(sample.RiskPositive);
                    _correct.Add(s.Correct!.Value ? 1 : 0);
                    _fromText += s.ProbabilityFromText ? 1 : 0;
                    break;
            }
        }

        public string PrimaryMetric => Scoring switch
        {
            TaskScoring.LabelSet => F1,
            TaskScoring.NextEvent => Accuracy,
            TaskScoring.Generation => Rouge1F,
            _ => Auroc,
        };

        public double[] BootstrapPrimary(int resamples, Random rng) => Scoring switch
        {
            TaskScoring.LabelSet => Bootstrap.Means([.. _f1], resamples, rng),
            TaskScoring.NextEvent => Bootstrap.Means([.. _correct], resamples, rng),
            TaskScoring.Generation => Bootstrap.Means([.. _rouge], resamples, rng),
            _ => Bootstrap.Auroc(RankedScores.Create(_pYes, _positive), resamples, rng),
        };

        public TaskResult ToResult(double[] bootstrap, double alpha, ScoringSettings settings)
        {
            var metrics = new SortedDictionary<string, double?>(StringComparer.Ordinal);
            int? positives = null, negatives = null, fromText = null;
            IReadOnlyList<double[]>? roc = null;
            switch (Scoring)
            {
                case TaskScoring.LabelSet:
                    metrics[Precision] = Mean(_precision);
                    metrics[Recall] = Mean(_recall);
                    metrics[F1] = Mean(_f1);
                    metrics[ExactMatch] = Mean(_exact);
                    break;
                case TaskScoring.NextEvent:
                    metrics[Accuracy] = Mean(_correct);
                    break;
                case TaskScoring.Generation:
                    metrics[Rouge1F] = Mean(_rouge);
                    break;
                default:
                    metrics[Auroc] = RocAnalysis.Auroc(_pYes, _positive);
                    metrics[Accuracy] = Mean(_correct);
                    metrics[Brier] = _pYes.Count == 0 ? null : Calibration.Brier(_pYes, _positive);
                    metrics[Ece] = _pYes.Count == 0 ? null : Calibration.ExpectedCalibrationError(_pYes, _positive, settings.CalibrationBins);
                    positives = _positive.Count(p => p);
                    negatives = _positive.Count - positives;
                    fromText = _fromText;
                    var curve = RocAnalysis.Curve(_pYes, _positive);
                    roc = curve.Count == 0 ? null : RocAnalysis.Thin(curve, settings.MaxRocPoints).Select(p => new[] { p.FalsePositiveRate, p.TruePositiveRate }).ToList();
                    break;
            }

            var primary = metrics[PrimaryMetric];
            var lo = primary is null || bootstrap.Length == 0 ? null : Bootstrap.Quantile(bootstrap, alpha);
            var hi = primary is null || bootstrap.Length == 0 ? null : Bootstrap.Quantile(bootstrap, 1 - alpha);
            if (primary is null)
            {
                Array.Fill(bootstrap, double.NaN);
            }

            return new TaskResult
            {
                Task = Task,
                Family = Family.Name(),
                Scoring = Scoring.ToString(),
                DeclaredMetric = declaredMetric,
                PrimaryMetric = PrimaryMetric,
                N = N,
                Missing = Missing,
                Primary = new MetricValue(primary, lo, hi),
                Metrics = metrics,
                Positives = positives,
                Negatives = negatives,
                ProbabilityFromText = fromText,
                UnterminatedThinking = _unterminated,
                Roc = roc,
            };
        }

        private static double? Mean(List<double> values) => values.Count == 0 ? null : values.Average();
    }
}
