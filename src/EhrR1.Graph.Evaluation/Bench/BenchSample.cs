namespace EhrR1.Graph.Evaluation.Bench;

/// <summary>
/// One EHR-Bench sample as the evaluator needs it. <see cref="Input"/> and <see cref="Instruction"/> are empty when the
/// reader was asked for gold data only (scoring does not need the EHR text, which can be tens of kilobytes per sample).
/// </summary>
public sealed record BenchSample
{
    /// <summary>Physical line in the bench file (1-based).</summary>
    public required long Line { get; init; }

    /// <summary>The stable sample id (given, or derived; see <see cref="EhrBenchReader"/>).</summary>
    public required string SampleId { get; init; }

    /// <summary>Whether <see cref="SampleId"/> was derived because the record had none.</summary>
    public bool SampleIdDerived { get; init; }

    public required string Task { get; init; }

    public required TaskFamily Family { get; init; }

    public required TaskScoring Scoring { get; init; }

    /// <summary>The metric declared in task_info (em, recall, acc, aucroc, rouge, ...).</summary>
    public required string DeclaredMetric { get; init; }

    public string Instruction { get; init; } = string.Empty;

    public string Input { get; init; } = string.Empty;

    public IReadOnlyList<string> Candidates { get; init; } = [];

    /// <summary>Gold answer lines, normalised (see <see cref="Metrics.AnswerText.NormalizeLines"/>). Risk: ["yes"] or ["no"].</summary>
    public required IReadOnlyList<string> Gold { get; init; }

    /// <summary>The raw gold text (used for next_event and ROUGE).</summary>
    public required string GoldText { get; init; }

    /// <summary>Risk tasks: whether the label is "yes".</summary>
    public bool RiskPositive { get; init; }
}
