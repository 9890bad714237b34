using System.Collections.Immutable;

namespace EhrR1.Graph.Tasks.Definitions;

/// <summary>
/// One EHR-Bench task. Immutable and shared: per-sample data never goes into a definition (upstream merged each
/// sample into the shared per-task dictionary, so keys leaked between samples; see docs/tasks.md).
/// </summary>
/// <param name="Name">Task name, e.g. <c>labevents</c>, <c>ED_Hospitalization</c>.</param>
/// <param name="Event">The target event table (decision tasks) or the anchor event table (risk tasks).</param>
/// <param name="TargetKey">The item key whose values are the labels (decision tasks); <c>label</c> for risk tasks.</param>
/// <param name="Metric">Declared metric: em, recall, acc, rouge or aucroc.</param>
/// <param name="BidEvents">Event tables hidden from the rendered input for this task.</param>
/// <param name="Kind">Decision-making or risk prediction.</param>
/// <param name="Instruction">The instruction text of the EHR-Bench record (our wording, the default).</param>
public sealed record TaskDefinition(
    string Name,
    string Event,
    string TargetKey,
    string Metric,
    ImmutableArray<string> BidEvents,
    TaskKind Kind,
    string Instruction)
{
    /// <summary>Upstream's instruction, verbatim (typos included); the same as <see cref="Instruction"/> for decision tasks.</summary>
    public required string UpstreamInstruction { get; init; }

    /// <summary>The instruction of the given style.</summary>
    public string InstructionFor(InstructionStyle style) => style == InstructionStyle.Upstream ? UpstreamInstruction : Instruction;

    /// <summary>
    /// Upstream's <c>target_key</c> where its task table names another key than <see cref="TargetKey"/> (transfers:
    /// <c>eventtype</c>, while both extract careunit, else eventtype); null when they agree.
    /// </summary>
    public string? UpstreamTargetKey { get; init; }

    /// <summary>
    /// The <c>target_key</c> an export writes for the given style: upstream's table names <see cref="UpstreamTargetKey"/>
    /// where set, and no key (<c>None</c>, written as null) for the 18 risk tasks.
    /// </summary>
    public string? TargetKeyFor(InstructionStyle style) => style != InstructionStyle.Upstream ? TargetKey : IsRisk ? null : UpstreamTargetKey ?? TargetKey;

    /// <summary>Upstream <c>task_type</c>: <c>decision_making</c> or <c>risk_prediction</c>.</summary>
    public string TaskType => Kind == TaskKind.DecisionMaking ? "decision_making" : "risk_prediction";

    /// <summary>True for the 18 binary tasks.</summary>
    public bool IsRisk => Kind == TaskKind.RiskPrediction;

    /// <summary>True when the label is a single string rather than a set (next_event, discharge, risk tasks).</summary>
    public bool HasScalarLabel => IsRisk || Name is TaskCatalog.NextEvent or TaskCatalog.Discharge;

    /// <summary>True when the task's event type is hidden from its own input.</summary>
    public bool Hides(string table) => BidEvents.Contains(table, StringComparer.Ordinal);
}
