using System.Globalization;

namespace EhrR1.Graph.Reasoning.Filtering;

/// <summary>Settings of <c>ehr-graph reason filter</c> (upstream §2.8 with its bugs fixed).</summary>
public sealed record FilterSettings
{
    public static readonly IReadOnlyList<string> DefaultLeakPhrases =
    [
        "ground truth", "ground-truth", "retrieved knowledge", "retrieved medical knowledge", "given answer", "provided answer",
        "answer provided", "answer given", "answer to explain", "knowledge paths", "knowledge path", "as shown in the answer",
    ];

    public static readonly IReadOnlyList<string> DefaultOldHeaders = ["Extraction and Analysis", "Reasoning and Summary"];

    public required string ResultsPath { get; init; }

    public required string OutputPath { get; init; }

    public string RejectsPath => Path.ChangeExtension(OutputPath, null) + ".rejects.jsonl";

    /// <summary>Fraction of labels that must appear after the last "Final Results" (default 0.7).</summary>
    public double MinCoverage { get; init; } = 0.7;

    public IReadOnlyList<string> LeakPhrases { get; init; } = DefaultLeakPhrases;

    public IReadOnlyList<string> OldHeaders { get; init; } = DefaultOldHeaders;

    /// <summary>Require the <c>## Extraction</c>, <c>## Reasoning</c>, <c>## Final Results</c> headers, in that order.</summary>
    public bool RequireSections { get; init; } = true;

    /// <summary>Reject chains the endpoint cut at the token limit (finish_reason "length").</summary>
    public bool RejectTruncated { get; init; } = true;

    public IReadOnlySet<string> ExcludeTasks { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "discharge" };

    /// <summary>Keep at most this many samples, chosen by a seeded hash of the sample id (order-independent).</summary>
    public long? MaxSamples { get; init; }

    /// <summary>Round the kept sample count down to a multiple of this (upstream used 64); 1 = off.</summary>
    public int MultipleOf { get; init; } = 1;

    public int Seed { get; init; } = 42;

    public IEnumerable<string> Validate()
    {
        if (MinCoverage is < 0 or > 1)
        {
            yield return "--min-coverage must be in [0, 1]; got " + MinCoverage.ToString(CultureInfo.InvariantCulture) + ".";
        }

        if (MultipleOf < 1)
        {
            yield return "--multiple-of must be at least 1.";
        }

        if (MaxSamples is < 1)
        {
            yield return "--max-samples must be positive.";
        }
    }
}
