namespace EhrR1.Graph.Evaluation.Metrics;

/// <summary>Set precision, recall, F1 and exact match of one prediction against the gold lines.</summary>
public readonly record struct SetScore(double Precision, double Recall, double F1, bool ExactMatch);

/// <summary>
/// Set metrics over normalised lines: precision = |P∩G|/|P|, recall = |P∩G|/|G|, F1 their harmonic mean;
/// each is 0 when its denominator is 0 (sklearn's <c>zero_division=0</c>), except that an empty prediction of an
/// empty gold set scores 1. Exact match = the two sets are equal.
/// </summary>
public static class SetMetrics
{
    public static SetScore Score(IReadOnlyList<string> predicted, IReadOnlyList<string> gold)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(gold);
        var p = new HashSet<string>(predicted, StringComparer.Ordinal);
        var g = new HashSet<string>(gold, StringComparer.Ordinal);
        if (p.Count == 0 && g.Count == 0)
        {
            return new SetScore(1, 1, 1, true);
        }

        var inter = 0;
        foreach (var x in p)
        {
            if (g.Contains(x))
            {
                inter++;
            }
        }

        var precision = p.Count == 0 ? 0 : (double)inter / p.Count;
        var recall = g.Count == 0 ? 0 : (double)inter / g.Count;
        var f1 = precision + recall == 0 ? 0 : 2 * precision * recall / (precision + recall);
        return new SetScore(precision, recall, f1, inter == p.Count && inter == g.Count);
    }

    /// <summary>
    /// next_event accuracy: 1 when the answer, trimmed and lower-cased, starts with the gold event name (trimmed,
    /// lower-cased). Upstream compared case-sensitively (its lower-casing only applied to non-strings); we do not.
    /// </summary>
    public static bool StartsWithMatch(string answer, string gold)
    {
        ArgumentNullException.ThrowIfNull(answer);
        ArgumentNullException.ThrowIfNull(gold);
        var g = gold.Trim().ToLowerInvariant();
        return g.Length > 0 && answer.Trim().ToLowerInvariant().StartsWith(g, StringComparison.Ordinal);
    }
}
