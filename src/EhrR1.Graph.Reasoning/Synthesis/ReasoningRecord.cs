using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>
/// One line of <c>reasoning.jsonl</c>: the chains generated for a sample, with what is needed to filter them
/// (labels) and to trace them (prompt id, model, source, tokens, cost).
/// </summary>
public sealed record ReasoningRecord
{
    [JsonPropertyName("sample_id")]
    public required string SampleId { get; init; }

    [JsonPropertyName("task")]
    public required string Task { get; init; }

    [JsonPropertyName("task_type")]
    public string TaskType { get; init; } = "unknown";

    [JsonPropertyName("prompt_id")]
    public required string PromptId { get; init; }

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("labels")]
    public required IReadOnlyList<string> Labels { get; init; }

    [JsonPropertyName("label_is_string")]
    public bool LabelIsString { get; init; }

    [JsonPropertyName("chains")]
    public required IReadOnlyList<string> Chains { get; init; }

    [JsonPropertyName("finish_reasons")]
    public IReadOnlyList<string?> FinishReasons { get; init; } = [];

    [JsonPropertyName("prompt_tokens")]
    public long PromptTokens { get; init; }

    [JsonPropertyName("completion_tokens")]
    public long CompletionTokens { get; init; }

    [JsonPropertyName("cost_usd")]
    public decimal? CostUsd { get; init; }

    [JsonPropertyName("attempts")]
    public int Attempts { get; init; }

    /// <summary>
    /// API requests that produced the chains: 1 (n choices in one request), or n with a one-choice-per-request
    /// client (SDK), whose prompt is then billed n times (included in <see cref="PromptTokens"/> and the cost).
    /// </summary>
    [JsonPropertyName("requests")]
    public int Requests { get; init; } = 1;

    /// <summary>"online" or "batch".</summary>
    [JsonPropertyName("source")]
    public string Source { get; init; } = "online";

    [JsonPropertyName("utc")]
    public string? Utc { get; init; }
}
