namespace EhrR1.Graph.Evaluation.Metrics;

/// <summary>One point of a ROC curve.</summary>
public sealed record RocPoint(double FalsePositiveRate, double TruePositiveRate, double Threshold);

/// <summary>
/// Area under the ROC curve by the Mann–Whitney U statistic with tied scores counted one half
/// (equivalently: mid-ranks), which equals scikit-learn's <c>roc_auc_score</c> including ties.
/// Undefined (null) when the labels hold only one class.
/// </summary>
public static class RocAnalysis
{
    /// <summary>AUROC of <paramref name="scores"/> (higher = more likely positive) against <paramref name="positive"/>.</summary>
    public static double? Auroc(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        var ranked = RankedScores.Create(scores, positive);
        return ranked.Auroc();
    }

    /// <summary>
    /// The full ROC curve as scikit-learn's <c>roc_curve(drop_intermediate=False)</c>: (0,0) at threshold +∞, then one point
    /// per distinct score in decreasing order. Empty when a class is missing.
    /// </summary>
    public static IReadOnlyList<RocPoint> Curve(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(positive);
        var order = Enumerable.Range(0, scores.Count).ToArray();
        Array.Sort(order, (a, b) => scores[b].CompareTo(scores[a]));
        var pos = positive.Count(p => p);
        var neg = positive.Count - pos;
        if (pos == 0 || neg == 0)
        {
            return [];
        }

        var points = new List<RocPoint> { new(0, 0, double.PositiveInfinity) };
        long tp = 0, fp = 0;
        var i = 0;
        while (i < order.Length)
        {
            var s = scores[order[i]];
            while (i < order.Length && scores[order[i]].Equals(s))
            {
                if (positive[order[i]])
                {
                    tp++;
                }
                else
                {
                    fp++;
                }

                i++;
            }

            points.Add(new RocPoint((double)fp / neg, (double)tp / pos, s));
        }

        return points;
    }

    /// <summary>Keeps at most <paramref name="maxPoints"/> points (always the first and last), for storing and plotting.</summary>
    public static IReadOnlyList<RocPoint> Thin(IReadOnlyList<RocPoint> curve, int maxPoints)
    {
        ArgumentNullException.ThrowIfNull(curve);
        if (curve.Count <= maxPoints || maxPoints < 2)
        {
            return curve;
        }

        var result = new List<RocPoint>(maxPoints);
        for (var k = 0; k < maxPoints; k++)
        {
            var idx = (int)Math.Round((double)k * (curve.Count - 1) / (maxPoints - 1));
            if (result.Count == 0 || !ReferenceEquals(result[^1], curve[idx]))
            {
                result.Add(curve[idx]);
            }
        }

        return result;
    }
}

/// <summary>
/// Scores grouped into distinct values (ascending), with each sample's group: AUROC of a weighted resample is then
/// one pass over the groups, which makes bootstrap confidence intervals cheap.
/// </summary>
public sealed class RankedScores
{
    private RankedScores(int[] groupOf, int groupCount, bool[] positive)
    {
        GroupOf = groupOf;
        GroupCount = groupCount;
        Positive = positive;
    }

    /// <summary>The distinct-score group (0 = lowest score) of every sample.</summary>
    public int[] GroupOf { get; }

    public int GroupCount { get; }

    public bool[] Positive { get; }

    public static RankedScores Create(IReadOnlyList<double> scores, IReadOnlyList<bool> positive)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(positive);
        if (scores.Count != positive.Count)
        {
            throw new ArgumentException("scores and labels differ in length", nameof(positive));
        }

        var order = Enumerable.Range(0, scores.Count).ToArray();
        Array.Sort(order, (a, b) => scores[a].CompareTo(scores[b]));
        var groupOf = new int[scores.Count];
        var group = -1;
        for (var i = 0; i < order.Length; i++)
        {
            if (i == 0 || !scores[order[i]].Equals(scores[order[i - 1]]))
            {
                group++;
            }

            groupOf[order[i]] = group;
        }

        return new RankedScores(groupOf, group + 1, positive.ToArray());
    }

    /// <summary>AUROC with every sample counted once.</summary>
    public double? Auroc()
    {
        var pos = new double[GroupCount];
        var neg = new double[GroupCount];
        for (var i = 0; i < GroupOf.Length; i++)
        {
            if (Positive[i])
            {
                pos[GroupOf[i]]++;
            }
            else
            {
                neg[GroupOf[i]]++;
            }
        }

        return FromGroupCounts(pos, neg);
    }

    /// <summary>
    /// AUROC from per-group positive and negative weights (groups in ascending score order):
    /// Σ_g pos_g · (negatives below g + ½ neg_g) / (P · N).
    /// </summary>
    public static double? FromGroupCounts(ReadOnlySpan<double> pos, ReadOnlySpan<double> neg)
    {
        double below = 0, sum = 0, p = 0, n = 0;
        for (var g = 0; g < pos.Length; g++)
        {
            sum += pos[g] * (below + 0.5 * neg[g]);
            below += neg[g];
            p += pos[g];
            n += neg[g];
        }

        return p == 0 || n == 0 ? null : sum / (p * n);
    }
}
