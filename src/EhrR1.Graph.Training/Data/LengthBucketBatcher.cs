namespace EhrR1.Graph.Training.Data;

/// <summary>
/// Deterministic length-bucketed batches: each epoch shuffles the examples with (seed, epoch), sorts windows of
/// 32 batches by length so a batch holds similar lengths (little padding), then shuffles the batch order. Needs
/// only the example lengths (e.g. <see cref="TokenizedCorpus.Lengths"/>), not their tokens.
/// </summary>
public static class LengthBucketBatcher
{
    private const int WindowBatches = 32;

    public static IReadOnlyList<int[]> EpochBatches(IReadOnlyList<int> lengths, int batchSize, int seed, int epoch)
    {
        ArgumentNullException.ThrowIfNull(lengths);
        var rng = new Random(unchecked((seed * 1_000_003) + epoch));
        var order = Enumerable.Range(0, lengths.Count).ToArray();
        rng.Shuffle(order);
        var batches = new List<int[]>();
        var window = batchSize * WindowBatches;
        for (var start = 0; start < order.Length; start += window)
        {
            var chunk = order.Skip(start).Take(window).OrderBy(i => lengths[i]).ThenBy(i => i).ToArray();
            for (var b = 0; b < chunk.Length; b += batchSize)
            {
                batches.Add(chunk.Skip(b).Take(batchSize).ToArray());
            }
        }

        var shuffled = batches.ToArray();
        rng.Shuffle(shuffled);
        return shuffled;
    }
}
