namespace EhrR1.Graph.Evaluation.Scoring;

/// <summary>How predictions are scored and summarised.</summary>
public sealed record ScoringSettings
{
    /// <summary>Bootstrap resamples for the 95% confidence intervals (0 = no intervals).</summary>
    public int BootstrapResamples { get; init; } = 1000;

    public int Seed { get; init; } = 42;

    public double Confidence { get; init; } = 0.95;

    public int CalibrationBins { get; init; } = Metrics.Calibration.DefaultBins;

    /// <summary>Most ROC points stored per risk task in the result (for plots).</summary>
    public int MaxRocPoints { get; init; } = 256;

    public IEnumerable<string> Validate()
    {
        if (BootstrapResamples is < 0 or > 100_000)
        {
            yield return $"--bootstrap must be between 0 and 100000; got {BootstrapResamples}.";
        }

        if (Confidence is <= 0 or >= 1)
        {
            yield return $"the confidence level must be in (0, 1); got {Confidence}.";
        }

        if (CalibrationBins is < 1 or > 1000)
        {
            yield return $"--calibration-bins must be between 1 and 1000; got {CalibrationBins}.";
        }
    }
}
