namespace EhrR1.Graph.Training.Data;

/// <summary>
/// The order of training draws under upstream's curriculum mixing of two datasets (<c>MultipleDataset</c> with
/// <c>--curriculum</c>): at training progress p (draw k of n: p = k / n) the second dataset is drawn with probability
/// 0 while p ≤ s and (p − s) / (1 − s) after, where s = max(0, 1 − 2·|D2|/|D1|). Over the window that averages one half,
/// so about n·|D2|/|D1| draws come from the second dataset: with n = |D1| + |D2| that is each of its samples about once.
/// Each dataset is read in a seeded shuffled order, reshuffled when it wraps around; when one dataset has no samples
/// the other is drawn. Same sizes, draw count and seed give the same order.
/// </summary>
public static class CurriculumSchedule
{
    /// <summary>The progress after which the second dataset is drawn: max(0, 1 − 2·|D2|/|D1|).</summary>
    public static double Start(int first, int second) =>
        first <= 0 ? 0.0 : Math.Max(0.0, 1.0 - (2.0 * second / first));

    /// <summary>Probability that the draw at <paramref name="progress"/> (0 ≤ p &lt; 1) comes from the second dataset.</summary>
    public static double SecondShare(double progress, double start) =>
        progress <= start ? 0.0 : Math.Min(1.0, (progress - start) / (1.0 - start));

    /// <summary>
    /// <paramref name="draws"/> example indices in training order: 0 … first−1 are the first dataset, first … first+second−1
    /// the second (the layout of <see cref="ConcatenatedExamples"/>).
    /// </summary>
    public static int[] Order(int first, int second, long draws, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(first);
        ArgumentOutOfRangeException.ThrowIfNegative(second);
        ArgumentOutOfRangeException.ThrowIfNegative(draws);
        if (first + second == 0 && draws > 0)
        {
            throw new ArgumentException("both datasets are empty.", nameof(first));
        }

        var rng = new Random(seed);
        var one = new Cycle(first, 0, seed, 1);
        var two = new Cycle(second, first, seed, 2);
        var start = Start(first, second);
        var order = new int[draws];
        for (long k = 0; k < draws; k++)
        {
            var u = rng.NextDouble();
            var fromSecond = first == 0 || (second > 0 && u < SecondShare((double)k / draws, start));
            order[k] = fromSecond ? two.Next() : one.Next();
        }

        return order;
    }

    /// <summary>The order cut into batches of <paramref name="batchSize"/> consecutive draws (the last may be short).</summary>
    public static IReadOnlyList<int[]> Batches(int[] order, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(order);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(batchSize);
        return [.. order.Chunk(batchSize)];
    }

    /// <summary>One dataset read in shuffled passes: each pass a new seeded permutation.</summary>
    private sealed class Cycle(int count, int offset, int seed, int stream)
    {
        private int[] _order = [];
        private int _at;
        private int _pass;

        public int Next()
        {
            if (_at >= _order.Length)
            {
                _order = Enumerable.Range(offset, count).ToArray();
                new Random(unchecked((seed * 1_000_003) + (stream * 7_919) + _pass)).Shuffle(_order);
                _pass++;
                _at = 0;
            }

            return _order[_at++];
        }
    }
}
