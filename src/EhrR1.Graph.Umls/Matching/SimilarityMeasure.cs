namespace EhrR1.Graph.Umls.Matching;

/// <summary>Similarity of two n-gram feature sets X (query) and Y (vocabulary string).</summary>
internal enum SimilarityMeasure
{
    /// <summary>|X∩Y| / |X∪Y|.</summary>
    Jaccard,

    /// <summary>|X∩Y| / √(|X|·|Y|).</summary>
    Cosine,

    /// <summary>2|X∩Y| / (|X|+|Y|).</summary>
    Dice,

    /// <summary>|X∩Y| / min(|X|,|Y|).</summary>
    Overlap,
}

/// <summary>
/// The similarity functions and SimString's exact pruning bounds. The bounds are first computed by SimString's
/// closed forms and then corrected against <see cref="Score"/> itself, so floating-point rounding can neither drop
/// nor add a candidate: retrieval returns exactly the strings whose score is ≥ the threshold.
/// </summary>
internal static class Similarity
{
    public static double Score(SimilarityMeasure measure, int overlap, int x, int y)
    {
        if (overlap <= 0 || x <= 0 || y <= 0)
        {
            return 0;
        }

        return measure switch
        {
            SimilarityMeasure.Jaccard => overlap / (double)(x + y - overlap),
            SimilarityMeasure.Cosine => overlap / Math.Sqrt(x * (double)y),
            SimilarityMeasure.Dice => 2.0 * overlap / (x + y),
            SimilarityMeasure.Overlap => overlap / (double)Math.Min(x, y),
            _ => throw new ArgumentOutOfRangeException(nameof(measure)),
        };
    }

    /// <summary>Smallest overlap τ with Score(τ, x, y) ≥ α, or int.MaxValue when even min(x, y) falls short.</summary>
    public static int MinOverlap(SimilarityMeasure measure, double alpha, int x, int y)
    {
        var max = Math.Min(x, y);
        double estimate = measure switch
        {
            SimilarityMeasure.Jaccard => alpha * (x + y) / (1 + alpha),
            SimilarityMeasure.Cosine => alpha * Math.Sqrt(x * (double)y),
            SimilarityMeasure.Dice => alpha * (x + y) / 2.0,
            _ => alpha * max,
        };
        var t = Math.Clamp((int)Math.Ceiling(estimate), 1, Math.Max(1, max));
        while (t > 1 && Score(measure, t - 1, x, y) >= alpha)
        {
            t--;
        }

        while (t <= max && Score(measure, t, x, y) < alpha)
        {
            t++;
        }

        return t <= max ? t : int.MaxValue;
    }

    /// <summary>The sizes |Y| that can reach α against a query of size x (SimString's size bounds), clipped to [1, maxSize].</summary>
    public static (int Min, int Max) SizeBounds(SimilarityMeasure measure, double alpha, int x, int maxSize)
    {
        double lo, hi;
        switch (measure)
        {
            case SimilarityMeasure.Jaccard:
                lo = alpha * x;
                hi = x / alpha;
                break;
            case SimilarityMeasure.Cosine:
                lo = alpha * alpha * x;
                hi = x / (alpha * alpha);
                break;
            case SimilarityMeasure.Dice:
                lo = alpha * x / (2 - alpha);
                hi = (2 - alpha) * x / alpha;
                break;
            default:
                lo = 1;
                hi = maxSize;
                break;
        }

        var min = Math.Max(1, (int)Math.Ceiling(lo) - 1);
        var max = Math.Min(maxSize, (int)Math.Floor(Math.Min(hi, int.MaxValue / 2.0)) + 1);
        while (min <= max && !Reachable(measure, alpha, x, min))
        {
            min++;
        }

        while (max >= min && !Reachable(measure, alpha, x, max))
        {
            max--;
        }

        return (min, max);
    }

    private static bool Reachable(SimilarityMeasure measure, double alpha, int x, int y) =>
        Score(measure, Math.Min(x, y), x, y) >= alpha;

    public static SimilarityMeasure Parse(string name) => name.ToLowerInvariant() switch
    {
        "jaccard" => SimilarityMeasure.Jaccard,
        "cosine" => SimilarityMeasure.Cosine,
        "dice" => SimilarityMeasure.Dice,
        "overlap" => SimilarityMeasure.Overlap,
        _ => throw new Core.Errors.StageConfigurationException($"Unknown similarity '{name}'. Use jaccard, cosine, dice or overlap."),
    };
}
