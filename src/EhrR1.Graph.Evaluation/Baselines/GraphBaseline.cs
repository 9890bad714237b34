using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.Evaluation.Predictions;

namespace EhrR1.Graph.Evaluation.Baselines;

/// <summary>
/// The graph baseline: what the knowledge graph alone predicts from a sample's history concepts, with no model.
/// <para>Label-set tasks: the candidates are the task's labels seen in the training split. A candidate's score is the
/// summed lift of the co-occurrence pairs (task, candidate, h) over the sample's history concepts h, plus
/// <see cref="GraphBaselineSettings.RelationWeight"/> per history concept whose CUI has a knowledge relation with the
/// candidate's CUI. Candidates are ranked by score, then training frequency, then ordinally (so with no evidence the
/// ranking is the frequency baseline's); the top k are emitted, with k (1..50) per task maximising the mean training
/// F1 of this ranking, as the frequency baseline chooses its k.</para>
/// <para>Risk tasks: s(x) = Σ log lift(h, yes) over the history concepts h with training support ≥
/// <see cref="GraphBaselineSettings.MinSupport"/>, lift(h, yes) = ((yes∧h) + ½)(N + 1) / ((df(h) + 1)(yes + ½));
/// P(yes) = σ(a + b·s), a and b fitted on the training split by Newton's method (a small ridge on b). A task whose
/// training split holds one class, or no history, falls back to the training prevalence.</para>
/// <para>Other tasks (next_event, generation) are answered as the frequency baseline answers them. Everything is
/// deterministic: no randomness, ordinal tie-breaks.</para>
/// </summary>
public sealed class GraphBaseline
{
    private readonly GraphBaselineInputs _inputs;
    private readonly GraphBaselineSettings _settings;
    private readonly FrequencyBaseline _frequency;
    private readonly Dictionary<string, LabelTask> _labelTasks = new(StringComparer.Ordinal);
    private readonly Dictionary<string, RiskTask> _riskTasks = new(StringComparer.Ordinal);

    private GraphBaseline(GraphBaselineInputs inputs, GraphBaselineSettings settings, FrequencyBaseline frequency)
    {
        _inputs = inputs;
        _settings = settings;
        _frequency = frequency;
    }

    /// <summary>Fits the baseline on training samples (gold plus the inputs' history concepts).</summary>
    public static GraphBaseline Fit(IEnumerable<BenchSample> training, GraphBaselineInputs inputs, GraphBaselineSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(training);
        ArgumentNullException.ThrowIfNull(inputs);
        var samples = training.ToList();
        var baseline = new GraphBaseline(inputs, settings ?? new GraphBaselineSettings(), FrequencyBaseline.Fit(samples));
        foreach (var group in samples.GroupBy(s => s.Task, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var list = group.ToList();
            if (list[0].Scoring == TaskScoring.LabelSet)
            {
                baseline._labelTasks[group.Key] = baseline.FitLabels(group.Key, list);
            }
            else if (list[0].Scoring == TaskScoring.Risk)
            {
                baseline._riskTasks[group.Key] = baseline.FitRisk(list);
            }
        }

        return baseline;
    }

    /// <summary>Label-set tasks: the number of labels emitted (k) per task.</summary>
    public IReadOnlyDictionary<string, int> LabelCounts => _labelTasks.ToDictionary(kv => kv.Key, kv => kv.Value.K, StringComparer.Ordinal);

    /// <summary>The baseline's prediction for <paramref name="sample"/>.</summary>
    public PredictionRecord Predict(BenchSample sample)
    {
        ArgumentNullException.ThrowIfNull(sample);
        if (sample.Scoring == TaskScoring.LabelSet && _labelTasks.TryGetValue(sample.Task, out var labels))
        {
            var ranked = Rank(sample.Task, labels, History(sample));
            return new PredictionRecord { SampleId = sample.SampleId, Task = sample.Task, Text = string.Join('\n', ranked.Take(labels.K)) };
        }

        if (sample.Scoring == TaskScoring.Risk && _riskTasks.TryGetValue(sample.Task, out var risk) && risk.Fitted)
        {
            var p = Sigmoid(risk.A + (risk.B * risk.Score(History(sample))));
            return new PredictionRecord { SampleId = sample.SampleId, Task = sample.Task, Text = p >= 0.5 ? "yes" : "no", PYes = p, ProbabilitySource = "graph_lift_logistic" };
        }

        return _frequency.Predict(sample);
    }

    /// <summary>The candidate labels of a task, best first, for the given history concepts.</summary>
    internal IReadOnlyList<string> Rank(string task, IReadOnlyList<string> history) =>
        _labelTasks.TryGetValue(task, out var t) ? Rank(task, t, history) : [];

    private IReadOnlyList<string> History(BenchSample sample) =>
        _inputs.History.TryGetValue(sample.SampleId, out var h) ? h : [];

    private LabelTask FitLabels(string task, List<BenchSample> samples)
    {
        var frequency = samples.SelectMany(s => s.Gold.Distinct(StringComparer.Ordinal))
            .GroupBy(l => l, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        var candidates = frequency.Keys.Order(StringComparer.Ordinal).ToList();

        // candidate CUI → candidates (a label's CUI comes from the term map, matched on the normalised label)
        var byCui = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var c in candidates)
        {
            if (_inputs.CuiOf(c) is { } cui)
            {
                if (!byCui.TryGetValue(cui, out var list))
                {
                    byCui[cui] = list = [];
                }

                list.Add(c);
            }
        }

        var state = new LabelTask(candidates, frequency, byCui);
        var golds = samples.Select(s => ((IReadOnlyList<string>)Rank(task, state, History(s)), s.Gold.ToHashSet(StringComparer.Ordinal))).ToList();
        state.K = Math.Max(1, LabelCount.Best(golds, candidates.Count));
        return state;
    }

    private List<string> Rank(string task, LabelTask state, IReadOnlyList<string> history)
    {
        var score = new Dictionary<string, double>(StringComparer.Ordinal);
        var lifts = _inputs.LiftsByHistory(task);
        foreach (var key in history)
        {
            if (lifts.TryGetValue(key, out var targets))
            {
                foreach (var (target, lift) in targets)
                {
                    if (state.Frequency.ContainsKey(target) && !string.Equals(target, key, StringComparison.Ordinal))
                    {
                        score[target] = score.GetValueOrDefault(target) + lift;
                    }
                }
            }

            if (_settings.RelationWeight > 0 && _inputs.CuiOf(key) is { } hc)
            {
                foreach (var related in _inputs.Related(hc))
                {
                    if (state.ByCui.TryGetValue(related, out var labels))
                    {
                        foreach (var l in labels.Where(l => !string.Equals(l, key, StringComparison.Ordinal)))
                        {
                            score[l] = score.GetValueOrDefault(l) + _settings.RelationWeight;
                        }
                    }
                }
            }
        }

        return state.Candidates
            .OrderByDescending(c => score.GetValueOrDefault(c))
            .ThenByDescending(c => state.Frequency[c])
            .ThenBy(c => c, StringComparer.Ordinal)
            .Take(LabelCount.Max)
            .ToList();
    }

    private RiskTask FitRisk(List<BenchSample> samples)
    {
        var n = samples.Count;
        var yes = samples.Count(s => s.RiskPositive);
        var risk = new RiskTask();
        var histories = samples.Select(s => History(s).Distinct(StringComparer.Ordinal).ToList()).ToList();
        if (yes == 0 || yes == n || histories.All(h => h.Count == 0))
        {
            return risk;
        }

        var df = new Dictionary<string, int>(StringComparer.Ordinal);
        var withYes = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            foreach (var h in histories[i])
            {
                df[h] = df.GetValueOrDefault(h) + 1;
                if (samples[i].RiskPositive)
                {
                    withYes[h] = withYes.GetValueOrDefault(h) + 1;
                }
            }
        }

        foreach (var (h, d) in df)
        {
            if (d >= _settings.MinSupport)
            {
                risk.LogLift[h] = Math.Log((withYes.GetValueOrDefault(h) + 0.5) * (n + 1) / ((d + 1.0) * (yes + 0.5)));
            }
        }

        var x = histories.Select(risk.Score).ToArray();
        var y = samples.Select(s => s.RiskPositive ? 1.0 : 0.0).ToArray();
        (risk.A, risk.B) = FitLogistic(x, y, _settings.Ridge);
        risk.Fitted = true;
        return risk;
    }

    /// <summary>Logistic regression of y on one feature by Newton's method, from a = logit(prevalence), b = 0, with an
    /// L2 penalty <paramref name="ridge"/> on b; deterministic.</summary>
    internal static (double A, double B) FitLogistic(IReadOnlyList<double> x, IReadOnlyList<double> y, double ridge)
    {
        var prevalence = y.Average();
        var a = Math.Log(prevalence / (1 - prevalence));
        var b = 0.0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ga = 0, gb = -ridge * b, haa = 0, hab = 0, hbb = ridge;
            for (var i = 0; i < x.Count; i++)
            {
                var p = Sigmoid(a + (b * x[i]));
                var w = p * (1 - p);
                ga += y[i] - p;
                gb += (y[i] - p) * x[i];
                haa += w;
                hab += w * x[i];
                hbb += w * x[i] * x[i];
            }

            var det = (haa * hbb) - (hab * hab);
            if (det <= 1e-12)
            {
                break;
            }

            var da = ((hbb * ga) - (hab * gb)) / det;
            var db = ((haa * gb) - (hab * ga)) / det;
            a += da;
            b += db;
            if (Math.Abs(da) + Math.Abs(db) < 1e-10)
            {
                break;
            }
        }

        return (a, b);
    }

    private static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));

    private sealed class LabelTask(List<string> candidates, Dictionary<string, int> frequency, Dictionary<string, List<string>> byCui)
    {
        public List<string> Candidates { get; } = candidates;

        public Dictionary<string, int> Frequency { get; } = frequency;

        public Dictionary<string, List<string>> ByCui { get; } = byCui;

        public int K { get; set; } = 1;
    }

    private sealed class RiskTask
    {
        public Dictionary<string, double> LogLift { get; } = new(StringComparer.Ordinal);

        public bool Fitted { get; set; }

        public double A { get; set; }

        public double B { get; set; }

        public double Score(IEnumerable<string> history) => history.Distinct(StringComparer.Ordinal).Sum(h => LogLift.GetValueOrDefault(h));
    }
}
