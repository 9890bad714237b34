using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>One line of a failures JSONL: which sample failed and why (never any patient text).</summary>
public sealed record FailureRecord(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("reason")] string Reason,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("attempts")] int Attempts,
    [property: JsonPropertyName("utc")] string Utc);
