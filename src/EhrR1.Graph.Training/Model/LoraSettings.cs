namespace EhrR1.Graph.Training.Model;

/// <summary>LoRA adapter shape: rank r, scaling alpha / r, dropout on the adapter input, and the projections it wraps.</summary>
public sealed record LoraSettings
{
    public static readonly IReadOnlyList<string> AllProjections = ["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"];

    public int Rank { get; init; } = 16;

    public double Alpha { get; init; } = 32;

    public double Dropout { get; init; }

    public IReadOnlyList<string> TargetModules { get; init; } = AllProjections;

    public IEnumerable<string> Validate()
    {
        if (Rank <= 0)
        {
            yield return $"--lora-rank must be positive; got {Rank}.";
        }

        if (Alpha <= 0)
        {
            yield return $"--lora-alpha must be positive; got {Alpha}.";
        }

        if (Dropout is < 0 or >= 1)
        {
            yield return $"--lora-dropout must be in [0, 1); got {Dropout}.";
        }

        foreach (var m in TargetModules.Where(m => !AllProjections.Contains(m, StringComparer.Ordinal)))
        {
            yield return $"--lora-targets: unknown module '{m}'; expected some of {string.Join(",", AllProjections)}.";
        }
    }
}
