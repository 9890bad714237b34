using System.Text.Json.Serialization;

namespace EhrR1.Graph.Evaluation.Scoring;

/// <summary>One line of <c>scores.jsonl</c>: the metrics of one sample (no text).</summary>
public sealed record SampleScore
{
    [JsonPropertyName("sample_id")]
    public required string SampleId { get; init; }

    [JsonPropertyName("task")]
    public required string Task { get; init; }

    [JsonPropertyName("family")]
    public required string Family { get; init; }

    [JsonPropertyName("precision")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Precision { get; init; }

    [JsonPropertyName("recall")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Recall { get; init; }

    [JsonPropertyName("f1")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? F1 { get; init; }

    [JsonPropertyName("exact_match")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? ExactMatch { get; init; }

    /// <summary>next_event: starts-with match; risk: (P(yes) ≥ 0.5) == label.</summary>
    [JsonPropertyName("correct")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Correct { get; init; }

    [JsonPropertyName("p_yes")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? PYes { get; init; }

    [JsonPropertyName("label")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Label { get; init; }

    [JsonPropertyName("probability_from_text")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool ProbabilityFromText { get; init; }

    [JsonPropertyName("rouge1_f")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? Rouge1F { get; init; }

    [JsonPropertyName("unterminated_thinking")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool UnterminatedThinking { get; init; }
}
