using System.Globalization;
using EhrR1.Graph.Reasoning.Endpoints;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>Settings of <c>ehr-graph reason</c> (and of <c>reason batch prepare</c>, which is the same run with <see cref="PrepareOnly"/>).</summary>
public sealed record ReasoningSettings
{
    public const string ResultsFile = "reasoning.jsonl";
    public const string FailuresFile = "reasoning.failures.jsonl";
    public const string BatchFolder = "batch";
    public const string EstimateFile = "estimate.json";

    public required string SamplesPath { get; init; }

    public string? EvidencePath { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>Variant (<c>with-graph</c>, <c>without-graph</c>, <c>free-form</c>) or template id.</summary>
    public string Prompt { get; init; } = "with-graph";

    public string? PromptsDirectory { get; init; }

    public int N { get; init; } = 3;

    public double Temperature { get; init; } = 0.5;

    public int MaxTokens { get; init; } = 2048;

    public ChatEndpointOptions Endpoint { get; init; } = new();

    /// <summary>Only write prompts, Batch files and the estimate; send nothing.</summary>
    public bool PrepareOnly { get; init; }

    public IReadOnlySet<string> ExcludeTasks { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "discharge" };

    /// <summary>
    /// Skip samples without evidence paths even when the template does not use them (upstream
    /// <c>--filter_nograph</c>, applied to file and folder inputs alike). Graph templates always skip them.
    /// </summary>
    public bool FilterNoGraph { get; init; }

    /// <summary>Process at most this many eligible samples (for a trial run).</summary>
    public long? Limit { get; init; }

    public string? PricesPath { get; init; }

    /// <summary>Completion tokens per chain assumed by the cost estimate (GPT-4o chains of this format average ~600–900).</summary>
    public int ExpectedCompletionTokensPerChain { get; init; } = 750;

    public int BatchMaxRequestsPerFile { get; init; } = 50_000;

    public long BatchMaxBytesPerFile { get; init; } = 200_000_000;

    public string ResultsPath => Path.Combine(OutputDirectory, ResultsFile);

    public string FailuresPath => Path.Combine(OutputDirectory, FailuresFile);

    public IEnumerable<string> Validate()
    {
        if (N is < 1 or > 128)
        {
            yield return "--n must be between 1 and 128; got " + N.ToString(CultureInfo.InvariantCulture) + ".";
        }

        if (Temperature is < 0 or > 2)
        {
            yield return "--temperature must be in [0, 2]; got " + Temperature.ToString(CultureInfo.InvariantCulture) + ".";
        }

        if (MaxTokens < 1)
        {
            yield return "--max-tokens must be positive.";
        }

        if (BatchMaxRequestsPerFile is < 1 or > 50_000 || BatchMaxBytesPerFile is < 1024 or > 200_000_000)
        {
            yield return "Batch files are limited by the API to 50,000 requests and 200 MB each.";
        }

        if (Limit is < 1)
        {
            yield return "--limit must be positive.";
        }
    }
}
