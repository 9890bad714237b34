using System.Text.Json.Serialization;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>
/// The fields of a task-index row (<c>ehr-graph tasks index</c>, one <c>{task}.jsonl</c> per task) that
/// co-occurrence counting needs. Indices are trajectory indices; <c>context_end</c> is exclusive.
/// </summary>
public sealed record CooccurrenceSample
{
    [JsonPropertyName("sample_id")]
    public required string SampleId { get; init; }

    [JsonPropertyName("task")]
    public required string Task { get; init; }

    [JsonPropertyName("subject_id")]
    public required long SubjectId { get; init; }

    [JsonPropertyName("target_index")]
    public required int TargetIndex { get; init; }

    [JsonPropertyName("context_begin")]
    public required int ContextBegin { get; init; }

    [JsonPropertyName("context_end")]
    public required int ContextEnd { get; init; }

    [JsonPropertyName("admissions_id")]
    public int? AdmissionsId { get; init; }

    [JsonPropertyName("last_discharge_id")]
    public int? LastDischargeId { get; init; }
}
