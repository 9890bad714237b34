using EhrR1.Graph.Evaluation.Scoring;

namespace EhrR1.Graph.Evaluation.Running;

/// <summary>Settings of <c>ehr-graph eval run</c> (and of <c>eval score</c>, which skips the prediction part).</summary>
public sealed record EvaluationRunSettings
{
    /// <summary>EHR-Bench JSONL.</summary>
    public required string BenchPath { get; init; }

    /// <summary>Output folder: predictions.jsonl (append-only, resumable), scores.jsonl, result.json, results.md, manifest.json.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Predictions file; default <c>{OutputDirectory}/predictions.jsonl</c>.</summary>
    public string? PredictionsPath { get; init; }

    /// <summary>Only these tasks (empty = all).</summary>
    public IReadOnlySet<string> Tasks { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>At most this many samples per task, the first in file order (0 = all).</summary>
    public int MaxPerTask { get; init; }

    public PromptSettings Prompt { get; init; } = new();

    public ScoringSettings Scoring { get; init; } = new();

    /// <summary>Name of the model in the result; default: the predictor's description.</summary>
    public string? ModelName { get; init; }

    public string PredictionsFile => PredictionsPath ?? Path.Combine(OutputDirectory, "predictions.jsonl");

    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(BenchPath))
        {
            yield return "--bench is required.";
        }

        if (MaxPerTask < 0)
        {
            yield return $"--max-per-task must be 0 (all) or positive; got {MaxPerTask}.";
        }

        if (Prompt.MaxNewTokens < 1 || Prompt.MaxNewTokensThinking < 1)
        {
            yield return "--max-new-tokens must be positive.";
        }

        foreach (var problem in Scoring.Validate())
        {
            yield return problem;
        }
    }
}
