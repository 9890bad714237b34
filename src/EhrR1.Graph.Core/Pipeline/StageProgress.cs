namespace EhrR1.Graph.Core.Pipeline;

/// <summary>Progress of a stage: a phase name, units done, and the total when known.</summary>
public readonly record struct StageProgress(string Phase, long Done, long? Total, string Unit = "items");
