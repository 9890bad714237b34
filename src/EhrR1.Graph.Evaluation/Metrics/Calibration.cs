namespace EhrR1.Graph.Evaluation.Metrics;

/// <summary>One reliability bin: predictions with P(yes) in [Lower, Upper), the last bin closed.</summary>
public sealed record CalibrationBin(double Lower, double Upper, int Count, double MeanPredicted, double FractionPositive);

/// <summary>
/// Calibration of P(yes):
/// <list type="bullet">
/// <item>Brier score = mean (p − y)², y ∈ {0, 1} (scikit-learn's <c>brier_score_loss</c>).</item>
/// <item>Expected calibration error with <see cref="DefaultBins"/> equal-width bins over [0, 1]: bin k holds
/// p ∈ [k/B, (k+1)/B) (p = 1 goes to the last bin; edges computed as numpy's linspace, like scikit-learn's
/// <c>calibration_curve</c>); ECE = Σ_k (n_k / n) · |mean(y in k) − mean(p in k)|.
/// Empty bins contribute nothing.</item>
/// </list>
/// </summary>
public static class Calibration
{
    public const int DefaultBins = 10;

    public static double Brier(IReadOnlyList<double> probabilities, IReadOnlyList<bool> positive)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(positive);
        if (probabilities.Count == 0)
        {
            return double.NaN;
        }

        double sum = 0;
        for (var i = 0; i < probabilities.Count; i++)
        {
            var d = probabilities[i] - (positive[i] ? 1 : 0);
            sum += d * d;
        }

        return sum / probabilities.Count;
    }

    public static IReadOnlyList<CalibrationBin> Bins(IReadOnlyList<double> probabilities, IReadOnlyList<bool> positive, int bins = DefaultBins)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(positive);
        ArgumentOutOfRangeException.ThrowIfLessThan(bins, 1);
        var count = new int[bins];
        var sumP = new double[bins];
        var sumY = new double[bins];
        for (var i = 0; i < probabilities.Count; i++)
        {
            var p = probabilities[i];
            var k = BinOf(p, bins);
            count[k]++;
            sumP[k] += p;
            sumY[k] += positive[i] ? 1 : 0;
        }

        var result = new List<CalibrationBin>(bins);
        for (var k = 0; k < bins; k++)
        {
            result.Add(new CalibrationBin(
                (double)k / bins,
                (double)(k + 1) / bins,
                count[k],
                count[k] == 0 ? 0 : sumP[k] / count[k],
                count[k] == 0 ? 0 : sumY[k] / count[k]));
        }

        return result;
    }

    /// <summary>
    /// The bin of <paramref name="p"/> with edges k·(1/B), exactly as numpy's <c>linspace(0, 1, B + 1)</c> makes them and
    /// scikit-learn's <c>calibration_curve</c> uses them (so 0.3 falls below the edge 0.30000000000000004).
    /// </summary>
    internal static int BinOf(double p, int bins)
    {
        var step = 1.0 / bins;
        var k = Math.Clamp((int)Math.Floor(p * bins), 0, bins - 1);
        while (k > 0 && p < k * step)
        {
            k--;
        }

        while (k < bins - 1 && p >= (k + 1) * step)
        {
            k++;
        }

        return k;
    }

    public static double ExpectedCalibrationError(IReadOnlyList<double> probabilities, IReadOnlyList<bool> positive, int bins = DefaultBins)
    {
        var all = Bins(probabilities, positive, bins);
        var n = all.Sum(b => b.Count);
        return n == 0 ? double.NaN : all.Sum(b => (double)b.Count / n * Math.Abs(b.FractionPositive - b.MeanPredicted));
    }
}
