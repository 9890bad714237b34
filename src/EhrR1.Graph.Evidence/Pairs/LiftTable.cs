using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Evidence.Pairs;

/// <summary>One candidate history concept of a target, with its lift.</summary>
internal readonly record struct LiftCandidate(string History, double Lift, long HistoryDf, long Count = 0);

/// <summary>
/// Lift of (target, history) per task, keeping only the rows that can ever be selected (lift &gt; threshold, strict,
/// and df(history) ≥ min_support), each target's candidates sorted by lift descending then history ordinal, so top-k
/// is a prefix scan. It also remembers every target that has any co-occurrence row (attrition point 1).
/// </summary>
internal sealed class LiftTable
{
    private readonly Dictionary<string, Dictionary<string, LiftCandidate[]>> _byTask = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _targetsWithRows = new(StringComparer.Ordinal);

    private LiftTable()
    {
    }

    public long RowsRead { get; private set; }

    public long RowsKept { get; private set; }

    public bool HasTask(string task) => _targetsWithRows.ContainsKey(task);

    public bool HasRow(string task, string target) =>
        _targetsWithRows.TryGetValue(task, out var set) && set.Contains(target);

    public IReadOnlyList<LiftCandidate> Candidates(string task, string target) =>
        _byTask.TryGetValue(task, out var byTarget) && byTarget.TryGetValue(target, out var list) ? list : [];

    /// <summary>The kept row of (task, target, history), if any.</summary>
    public LiftCandidate? Find(string task, string target, string history)
    {
        foreach (var c in Candidates(task, target))
        {
            if (string.Equals(c.History, history, StringComparison.Ordinal))
            {
                return c;
            }
        }

        return null;
    }

    /// <summary>Every kept (task, target, history, lift) row, for the co-occurrence graph.</summary>
    public IEnumerable<(string Task, string Target, LiftCandidate Candidate)> Rows()
    {
        foreach (var (task, byTarget) in _byTask.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            foreach (var (target, list) in byTarget.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                foreach (var c in list)
                {
                    yield return (task, target, c);
                }
            }
        }
    }

    public static LiftTable Build(IEnumerable<CooccurrenceStat> rows, double threshold, long minSupport)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var table = new LiftTable();
        var staging = new Dictionary<string, Dictionary<string, List<LiftCandidate>>>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            table.RowsRead++;
            if (!table._targetsWithRows.TryGetValue(row.Task, out var targets))
            {
                targets = new HashSet<string>(StringComparer.Ordinal);
                table._targetsWithRows.Add(row.Task, targets);
            }

            targets.Add(row.Target);
            if (!(row.Lift > threshold) || row.HistoryDf < minSupport || string.Equals(row.Target, row.History, StringComparison.Ordinal))
            {
                continue;
            }

            if (!staging.TryGetValue(row.Task, out var byTarget))
            {
                byTarget = new Dictionary<string, List<LiftCandidate>>(StringComparer.Ordinal);
                staging.Add(row.Task, byTarget);
            }

            if (!byTarget.TryGetValue(row.Target, out var list))
            {
                list = [];
                byTarget.Add(row.Target, list);
            }

            list.Add(new LiftCandidate(row.History, row.Lift, row.HistoryDf, row.Count));
            table.RowsKept++;
        }

        foreach (var (task, byTarget) in staging)
        {
            var sorted = new Dictionary<string, LiftCandidate[]>(byTarget.Count, StringComparer.Ordinal);
            foreach (var (target, list) in byTarget)
            {
                sorted[target] = [.. list.OrderByDescending(c => c.Lift).ThenBy(c => c.History, StringComparer.Ordinal)];
            }

            table._byTask[task] = sorted;
        }

        return table;
    }
}
