using System.Globalization;

namespace EhrR1.Graph.Reasoning.Corpus;

/// <summary>Settings of <c>ehr-graph corpus build</c>.</summary>
public sealed record CorpusSettings
{
    public const string DefaultSystemPrompt = "You are a helpful assistant.";

    /// <summary>Filtered reasoning JSONL from <c>reason filter</c>.</summary>
    public required string FilteredPath { get; init; }

    /// <summary>EHR-Bench JSONL (tasks export) supplying input/instruction and the non-reasoning records.</summary>
    public required string SamplesPath { get; init; }

    public required string OutputPath { get; init; }

    /// <summary>Non-reasoning (<c>/no_think</c>) records per reasoning record (0 = none).</summary>
    public double NoThinkRatio { get; init; } = 1.0;

    public int Seed { get; init; } = 42;

    /// <summary>Which passing chain to use: <c>first</c> (upstream) or <c>random</c> (seeded per sample).</summary>
    public string ChainChoice { get; init; } = "first";

    public string SystemPrompt { get; init; } = DefaultSystemPrompt;

    /// <summary>Upstream appends "/no_think" without a newline; we put it on its own line unless this is set.</summary>
    public bool UpstreamNoThinkSuffix { get; init; }

    public IReadOnlySet<string> ExcludeTasks { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "discharge" };

    public IEnumerable<string> Validate()
    {
        if (NoThinkRatio < 0 || double.IsNaN(NoThinkRatio))
        {
            yield return "--no-think-ratio must be 0 or more; got " + NoThinkRatio.ToString(CultureInfo.InvariantCulture) + ".";
        }

        if (ChainChoice is not ("first" or "random"))
        {
            yield return "--chain must be first or random; got " + ChainChoice + ".";
        }
    }
}
