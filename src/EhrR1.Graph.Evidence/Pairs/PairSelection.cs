namespace EhrR1.Graph.Evidence.Pairs;

/// <summary>A selected (target, history) pair.</summary>
internal readonly record struct ConceptPair(string Target, string History, double Lift);

/// <summary>Pairs chosen for one sample, and the attrition counts of the selection.</summary>
internal sealed record PairSelectionResult(IReadOnlyList<ConceptPair> Pairs, int Targets, int TargetsWithoutCooccurrence);

/// <summary>Upstream §2.5 pair selection: lift &gt; threshold, df(history) ≥ min_support, top-k per target.</summary>
internal static class PairSelection
{
    /// <summary>Selects the pairs of one sample: for each distinct target in order, the first <c>topK</c> candidates
    /// (lift desc, history ordinal) that are in <c>history</c> and differ from the target.</summary>
    public static PairSelectionResult Select(LiftTable table, string task, IReadOnlyList<string> targets, IReadOnlyCollection<string> history, int topK)
    {
        ArgumentNullException.ThrowIfNull(table);
        ArgumentNullException.ThrowIfNull(targets);
        ArgumentNullException.ThrowIfNull(history);
        var historySet = history as HashSet<string> ?? new HashSet<string>(history, StringComparer.Ordinal);
        var seenTargets = new HashSet<string>(StringComparer.Ordinal);
        var pairs = new List<ConceptPair>();
        var missing = 0;
        foreach (var t in targets)
        {
            if (!seenTargets.Add(t))
            {
                continue;
            }

            if (!table.HasRow(task, t))
            {
                missing++;
                continue;
            }

            var taken = 0;
            foreach (var c in table.Candidates(task, t))
            {
                if (taken >= topK)
                {
                    break;
                }

                if (!historySet.Contains(c.History) || string.Equals(c.History, t, StringComparison.Ordinal))
                {
                    continue;
                }

                pairs.Add(new ConceptPair(t, c.History, c.Lift));
                taken++;
            }
        }

        return new PairSelectionResult(pairs, seenTargets.Count, missing);
    }
}
