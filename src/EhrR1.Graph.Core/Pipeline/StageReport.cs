namespace EhrR1.Graph.Core.Pipeline;

/// <summary>What a stage did: written to stdout as JSON by the CLI.</summary>
public sealed record StageReport(
    string Stage,
    double ElapsedSeconds,
    IReadOnlyDictionary<string, long> Counts,
    IReadOnlyList<string> Outputs);
