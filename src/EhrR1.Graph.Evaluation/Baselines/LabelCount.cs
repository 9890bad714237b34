namespace EhrR1.Graph.Evaluation.Baselines;

/// <summary>
/// How many labels a baseline emits for a label-set task: the k (1..<see cref="Max"/>) whose top-k predictions have
/// the highest mean set F1 against the training gold, the smallest k on ties. The frequency and graph baselines share
/// it; they differ only in how they rank the labels.
/// </summary>
internal static class LabelCount
{
    /// <summary>The most labels a baseline emits.</summary>
    public const int Max = 50;

    /// <summary>The best k for training samples given as (that sample's ranked labels, its gold set); 0 when
    /// <paramref name="maxK"/> is 0.</summary>
    public static int Best(IReadOnlyList<(IReadOnlyList<string> Ranked, HashSet<string> Gold)> samples, int maxK)
    {
        var bestK = 0;
        var bestF1 = -1.0;
        for (var k = 1; k <= Math.Min(Max, maxK); k++)
        {
            var f1 = samples.Average(s => F1(s.Ranked.Take(k).ToList(), s.Gold));
            if (f1 > bestF1 + 1e-12)
            {
                bestF1 = f1;
                bestK = k;
            }
        }

        return bestK;
    }

    /// <summary>Set F1 of distinct predicted labels against the gold set; 1 when both are empty.</summary>
    private static double F1(List<string> predicted, HashSet<string> gold)
    {
        if (predicted.Count + gold.Count == 0)
        {
            return 1;
        }

        return 2.0 * predicted.Count(gold.Contains) / (predicted.Count + gold.Count);
    }
}
