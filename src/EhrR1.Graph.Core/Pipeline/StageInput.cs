namespace EhrR1.Graph.Core.Pipeline;

/// <summary>
/// A file or folder a stage reads: the option that names it, its path, and how to produce it when it is missing
/// (e.g. "Run `ehr-graph concepts extract` first and pass its --out folder").
/// </summary>
public sealed record StageInput(string Option, string Path, string? Fix = null);
