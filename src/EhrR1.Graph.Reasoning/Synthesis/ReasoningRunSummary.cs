namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>Counts, produced files and a user-facing note (e.g. which variables to set) of a reasoning run.</summary>
public sealed record ReasoningRunSummary(
    IReadOnlyDictionary<string, long> Counts,
    IReadOnlyList<string> Outputs,
    string? Note,
    decimal? CostUsd);
