using System.Text.Json.Serialization;

namespace EhrR1.Graph.Evaluation.Predictions;

/// <summary>
/// One line of <c>predictions.jsonl</c>: what the model produced for one sample. Keyed by <see cref="SampleId"/>;
/// the file is append-only, so an interrupted run resumes by skipping the ids already present.
/// </summary>
public sealed record PredictionRecord
{
    [JsonPropertyName("sample_id")]
    public required string SampleId { get; init; }

    [JsonPropertyName("task")]
    public required string Task { get; init; }

    /// <summary>The raw model output (thinking included).</summary>
    [JsonPropertyName("text")]
    public required string Text { get; init; }

    /// <summary>Risk tasks: P(yes) = softmax over the yes/no log-probabilities; null when the model gave none.</summary>
    [JsonPropertyName("p_yes")]
    public double? PYes { get; init; }

    [JsonPropertyName("logprob_yes")]
    public double? LogProbYes { get; init; }

    [JsonPropertyName("logprob_no")]
    public double? LogProbNo { get; init; }

    /// <summary>Where P(yes) came from: <c>logits</c> (local model), <c>logprobs</c> (endpoint, both tokens seen),
    /// <c>logprobs_partial</c> (endpoint, one of the two tokens outside the top list; see docs), or null.</summary>
    [JsonPropertyName("probability_source")]
    public string? ProbabilitySource { get; init; }

    [JsonPropertyName("prompt_tokens")]
    public int? PromptTokens { get; init; }

    [JsonPropertyName("completion_tokens")]
    public int? CompletionTokens { get; init; }

    [JsonPropertyName("finish_reason")]
    public string? FinishReason { get; init; }

    [JsonPropertyName("elapsed_ms")]
    public double? ElapsedMs { get; init; }
}
