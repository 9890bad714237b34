using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Batch;

/// <summary>One submitted Batch input file and what the API said about it (persisted in <c>batch/state.json</c>).</summary>
public sealed record BatchJobState
{
    [JsonPropertyName("file")]
    public required string File { get; init; }

    [JsonPropertyName("input_file_id")]
    public string? InputFileId { get; init; }

    [JsonPropertyName("batch_id")]
    public string? BatchId { get; init; }

    [JsonPropertyName("status")]
    public string? Status { get; init; }

    [JsonPropertyName("output_file_id")]
    public string? OutputFileId { get; init; }

    [JsonPropertyName("error_file_id")]
    public string? ErrorFileId { get; init; }

    [JsonPropertyName("downloaded")]
    public IReadOnlyList<string> Downloaded { get; init; } = [];

    [JsonIgnore]
    public bool IsTerminal => Status is "completed" or "failed" or "expired" or "cancelled";
}
