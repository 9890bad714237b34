namespace EhrR1.Graph.Core.Pipeline;

/// <summary>What <see cref="StageRunner"/> does when a stage's outputs already exist.</summary>
public enum ExistingOutputs
{
    /// <summary>Run and replace them (each output is written atomically).</summary>
    Replace,

    /// <summary>Refuse before doing any work; the user passes --force to replace them.</summary>
    Refuse,
}
