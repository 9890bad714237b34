namespace EhrR1.Graph.Evaluation.Baselines;

/// <summary>Settings of <see cref="GraphBaseline"/>.</summary>
public sealed record GraphBaselineSettings
{
    /// <summary>Score added to a candidate label per history concept with a knowledge relation to it. Default 5, the
    /// co-occurrence lift threshold: one relation weighs as much as the weakest kept co-occurrence pair.</summary>
    public double RelationWeight { get; init; } = 5;

    /// <summary>Risk tasks: training samples a history concept needs before its lift with "yes" counts (default 5).</summary>
    public int MinSupport { get; init; } = 5;

    /// <summary>Risk tasks: L2 penalty on the slope of the logistic fit (default 1).</summary>
    public double Ridge { get; init; } = 1;
}
