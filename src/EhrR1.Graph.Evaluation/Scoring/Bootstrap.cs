using System.Text;
using EhrR1.Graph.Evaluation.Metrics;

namespace EhrR1.Graph.Evaluation.Scoring;

/// <summary>
/// Percentile bootstrap. Samples are resampled with replacement within each task (n draws from the task's n samples);
/// risk tasks are resampled within each class (stratified), so every resample keeps the task's positives and negatives
/// and AUROC stays defined. Each task has its own generator, seeded from the run seed and the task name (FNV-1a), so the
/// intervals do not depend on which other tasks are evaluated, nor on thread scheduling. Macro intervals average the
/// tasks' values resample by resample.
/// </summary>
internal static class Bootstrap
{
    /// <summary>Resampled means of <paramref name="values"/>.</summary>
    public static double[] Means(double[] values, int resamples, Random rng)
    {
        var result = new double[resamples];
        var n = values.Length;
        if (n == 0)
        {
            Array.Fill(result, double.NaN);
            return result;
        }

        for (var b = 0; b < resamples; b++)
        {
            double sum = 0;
            for (var i = 0; i < n; i++)
            {
                sum += values[rng.Next(n)];
            }

            result[b] = sum / n;
        }

        return result;
    }

    /// <summary>Resampled AUROC, stratified by class.</summary>
    public static double[] Auroc(RankedScores ranked, int resamples, Random rng)
    {
        var positives = new List<int>();
        var negatives = new List<int>();
        for (var i = 0; i < ranked.Positive.Length; i++)
        {
            (ranked.Positive[i] ? positives : negatives).Add(i);
        }

        var result = new double[resamples];
        var pos = new double[ranked.GroupCount];
        var neg = new double[ranked.GroupCount];
        for (var b = 0; b < resamples; b++)
        {
            Array.Clear(pos);
            Array.Clear(neg);
            for (var k = 0; k < positives.Count; k++)
            {
                pos[ranked.GroupOf[positives[rng.Next(positives.Count)]]]++;
            }

            for (var k = 0; k < negatives.Count; k++)
            {
                neg[ranked.GroupOf[negatives[rng.Next(negatives.Count)]]]++;
            }

            result[b] = RankedScores.FromGroupCounts(pos, neg) ?? double.NaN;
        }

        return result;
    }

    /// <summary>The q-quantile of the finite values, interpolated linearly (numpy's default).</summary>
    public static double? Quantile(IEnumerable<double> values, double q)
    {
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        var h = (sorted.Length - 1) * q;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    public static Random RandomFor(int seed, string task)
    {
        uint hash = 2166136261;
        foreach (var b in Encoding.UTF8.GetBytes(task))
        {
            hash = (hash ^ b) * 16777619;
        }

        return new Random(unchecked(seed ^ (int)hash));
    }
}
