using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Sampling;

namespace EhrR1.Graph.Tasks.Export;

/// <summary>
/// Candidate lists (docs/tasks.md, "Candidates"). Risk tasks: <c>["yes", "no"]</c>. Discharge: none (generation).
/// Other decision tasks: the gold labels plus distractors drawn from the task's label frequencies in the index
/// (the <see cref="PoolSize"/> most frequent labels, weighted by count, without replacement, excluding the golds)
/// until <see cref="MaxCandidates"/>, then shuffled. The generator is seeded by the seed and the sample id, so a
/// sample's list never depends on which other samples are exported.
/// </summary>
public sealed class CandidateBuilder
{
    private static readonly string[] YesNo = ["yes", "no"];
    private readonly Dictionary<string, LabelCount[]> _pools;
    private readonly long _seed;

    public CandidateBuilder(IEnumerable<LabelCounts> labelCounts, long seed = 42, int maxCandidates = 100, int poolSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(labelCounts);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxCandidates);
        MaxCandidates = maxCandidates;
        PoolSize = poolSize;
        _seed = seed;
        _pools = labelCounts.ToDictionary(c => c.Task, c => c.Labels.Take(poolSize).ToArray(), StringComparer.Ordinal);
    }

    public int MaxCandidates { get; }

    public int PoolSize { get; }

    public IReadOnlyList<string> Build(TaskDefinition task, string sampleId, IReadOnlyList<string> gold)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(gold);
        if (task.IsRisk)
        {
            return YesNo;
        }

        if (task.Name == TaskCatalog.Discharge)
        {
            return [];
        }

        var result = new List<string>(MaxCandidates);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var g in gold)
        {
            if (seen.Add(g))
            {
                result.Add(g);
            }
        }

        var rng = new StableRandom(_seed, "candidates:" + sampleId);
        if (_pools.TryGetValue(task.Name, out var pool) && result.Count < MaxCandidates)
        {
            // Weighted sampling without replacement (Efraimidis-Spirakis keys), pool order fixed by the index: the
            // distractors are the entries with the largest keys (ties: lower pool index first), best first. Only the
            // best `need` are kept, in a heap whose root is the worst of them, instead of sorting the whole pool.
            var need = MaxCandidates - result.Count;
            var best = new PriorityQueue<int, (double Key, int Index)>(need + 1, WorstFirst.Instance);
            for (var i = 0; i < pool.Length; i++)
            {
                var u = rng.NextDouble();
                if (seen.Contains(pool[i].Label))
                {
                    continue;
                }

                var key = (Math.Log(Math.Max(u, double.Epsilon)) / Math.Max(1, pool[i].Count), i);
                if (best.Count < need)
                {
                    best.Enqueue(i, key);
                }
                else if (best.TryPeek(out _, out var worst) && WorstFirst.Instance.Compare(key, worst) > 0)
                {
                    best.EnqueueDequeue(i, key);
                }
            }

            var chosen = new int[best.Count];
            for (var k = chosen.Length - 1; k >= 0; k--)
            {
                chosen[k] = best.Dequeue();
            }

            foreach (var index in chosen)
            {
                result.Add(pool[index].Label);
            }
        }

        rng.Shuffle(result);
        return result;
    }

    /// <summary>Orders draw keys from worst to best: smaller key first, then (on equal keys) higher pool index first.</summary>
    private sealed class WorstFirst : IComparer<(double Key, int Index)>
    {
        public static readonly WorstFirst Instance = new();

        public int Compare((double Key, int Index) x, (double Key, int Index) y) =>
            x.Key != y.Key ? x.Key.CompareTo(y.Key) : y.Index.CompareTo(x.Index);
    }
}
