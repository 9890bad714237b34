using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>
/// The result of counting: per task the number of samples N, the document frequency of every concept (samples in
/// which it occurs as target or history, as upstream), and the pairs that pass the filters — history document
/// frequency ≥ <c>min_support</c> and lift = count·N / (df(target)·df(history)) &gt; <c>threshold</c>.
/// </summary>
public sealed class CooccurrenceTable
{
    private readonly Dictionary<string, TaskTable> _tasks;

    internal CooccurrenceTable(Dictionary<string, TaskTable> tasks, long pairsCounted, long samplesWithoutTarget)
    {
        _tasks = tasks;
        PairsCounted = pairsCounted;
        SamplesWithoutTarget = samplesWithoutTarget;
    }

    /// <summary>Task names, ordinal order.</summary>
    public IReadOnlyList<string> Tasks => _tasks.Keys.Order(StringComparer.Ordinal).ToList();

    /// <summary>(target, history) increments performed while counting (the cost measure).</summary>
    public long PairsCounted { get; }

    /// <summary>Samples whose target event had no concept for the task (counted with an empty target set).</summary>
    public long SamplesWithoutTarget { get; }

    /// <summary>The table of one task, or null.</summary>
    public TaskTable? this[string task] => _tasks.GetValueOrDefault(task);

    /// <summary>Every kept pair, by task, target, lift descending, history.</summary>
    public IEnumerable<CooccurrenceStat> Pairs() =>
        Tasks.SelectMany(t => _tasks[t].Pairs);

    /// <summary>
    /// Upstream's per-sample pair selection (§2.5): for each target concept of the sample, the history concepts of
    /// the sample that are different from it and whose pair passed the filters, top <paramref name="topK"/> by lift
    /// (ties: count, then history string); 0 = no limit.
    /// </summary>
    public IReadOnlyList<CooccurrenceStat> SelectPairs(string task, IEnumerable<string> targets, IReadOnlyCollection<string> history, int topK)
    {
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(history);
        if (!_tasks.TryGetValue(task, out var table))
        {
            return [];
        }

        var historySet = history as IReadOnlySet<string> ?? history.ToHashSet(StringComparer.Ordinal);
        var result = new List<CooccurrenceStat>();
        foreach (var t in targets.Distinct(StringComparer.Ordinal))
        {
            if (!table.ByTarget.TryGetValue(t, out var candidates))
            {
                continue;
            }

            var chosen = candidates.Where(c => historySet.Contains(c.History) && !string.Equals(c.History, t, StringComparison.Ordinal));
            result.AddRange(topK > 0 ? chosen.Take(topK) : chosen);
        }

        return result;
    }

    internal static CooccurrenceTable From(string[] tasks, CooccurrenceCounter.TaskAccumulator[] accumulators, List<string> strings, CooccurrenceSettings settings, long missingTargets)
    {
        var map = new Dictionary<string, TaskTable>(StringComparer.Ordinal);
        long pairs = 0;
        for (var i = 0; i < tasks.Length; i++)
        {
            var acc = accumulators[i];
            pairs += acc.Pairs;
            var n = acc.Samples;
            var kept = new List<CooccurrenceStat>();
            foreach (var (key, count) in acc.Co)
            {
                var t = (int)(key >> 32);
                var h = (int)(key & 0xffffffff);
                var dfH = acc.Df[h];
                if (dfH < settings.MinSupport)
                {
                    continue;
                }

                var dfT = acc.Df[t];
                var lift = (double)count * n / ((double)dfT * dfH);
                if (lift > settings.Threshold)
                {
                    kept.Add(new CooccurrenceStat(tasks[i], strings[t], strings[h], count, dfT, dfH, n, lift));
                }
            }

            var df = acc.Df.ToDictionary(kv => strings[kv.Key], kv => (long)kv.Value, StringComparer.Ordinal);
            map[tasks[i]] = new TaskTable(tasks[i], n, df, Order(kept));
        }

        return new CooccurrenceTable(map, pairs, missingTargets);
    }

    /// <summary>Builds a table from stored rows (see <see cref="CooccurrenceFiles"/>).</summary>
    internal static CooccurrenceTable FromRows(IReadOnlyDictionary<string, long> samplesPerTask, IEnumerable<(string Task, string Concept, long Df)> df, IEnumerable<CooccurrenceStat> pairs)
    {
        var dfs = df.GroupBy(d => d.Task, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToDictionary(x => x.Concept, x => x.Df, StringComparer.Ordinal), StringComparer.Ordinal);
        var byTask = pairs.GroupBy(p => p.Task, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        var map = new Dictionary<string, TaskTable>(StringComparer.Ordinal);
        foreach (var (task, n) in samplesPerTask)
        {
            map[task] = new TaskTable(task, n, dfs.GetValueOrDefault(task) ?? new Dictionary<string, long>(StringComparer.Ordinal), Order(byTask.GetValueOrDefault(task) ?? []));
        }

        return new CooccurrenceTable(map, 0, 0);
    }

    private static List<CooccurrenceStat> Order(IEnumerable<CooccurrenceStat> pairs) =>
        pairs.OrderBy(p => p.Target, StringComparer.Ordinal)
            .ThenByDescending(p => p.Lift)
            .ThenByDescending(p => p.Count)
            .ThenBy(p => p.History, StringComparer.Ordinal)
            .ToList();

    /// <summary>One task's statistics.</summary>
    public sealed class TaskTable
    {
        internal TaskTable(string task, long samples, Dictionary<string, long> df, List<CooccurrenceStat> pairs)
        {
            Task = task;
            Samples = samples;
            DocumentFrequency = df;
            Pairs = pairs;
            ByTarget = pairs.GroupBy(p => p.Target, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        }

        /// <summary>Task name.</summary>
        public string Task { get; }

        /// <summary>Samples counted (N).</summary>
        public long Samples { get; }

        /// <summary>Document frequency of every concept seen in the task.</summary>
        public IReadOnlyDictionary<string, long> DocumentFrequency { get; }

        /// <summary>Kept pairs by target, lift descending.</summary>
        public IReadOnlyList<CooccurrenceStat> Pairs { get; }

        internal Dictionary<string, List<CooccurrenceStat>> ByTarget { get; }
    }
}
