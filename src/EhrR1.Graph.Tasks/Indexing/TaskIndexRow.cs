using System.Text.Json.Serialization;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>
/// One line of a task index file <c>{task}.jsonl</c> (docs/tasks.md, "Index format"). Indices are trajectory
/// indices; <c>context_end</c> is exclusive. <c>target</c> is always a list: one "yes"/"no" for risk tasks, one event
/// table for next_event, the note for discharge.
/// </summary>
public sealed record TaskIndexRow
{
    [JsonPropertyName("sample_id")]
    public required string SampleId { get; init; }

    [JsonPropertyName("subject_id")]
    public required long SubjectId { get; init; }

    [JsonPropertyName("hadm_id")]
    public long? HadmId { get; init; }

    [JsonPropertyName("task")]
    public required string Task { get; init; }

    [JsonPropertyName("event")]
    public required string Event { get; init; }

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

    [JsonPropertyName("target")]
    public required IReadOnlyList<string> Target { get; init; }

    [JsonPropertyName("target_weight")]
    public double TargetWeight { get; init; }

    /// <summary>Number of events in the context window.</summary>
    [JsonIgnore]
    public int ContextLength => ContextEnd - ContextBegin;

    public static TaskIndexRow From(TaskInstance instance)
    {
        ArgumentNullException.ThrowIfNull(instance);
        return new TaskIndexRow
        {
            SampleId = instance.SampleId,
            SubjectId = instance.SubjectId,
            HadmId = instance.HadmId,
            Task = instance.Task,
            Event = instance.Event,
            TargetIndex = instance.TargetIndex,
            ContextBegin = instance.ContextBegin,
            ContextEnd = instance.ContextEnd,
            AdmissionsId = instance.AdmissionsId,
            LastDischargeId = instance.LastDischargeId,
            Target = instance.Target,
        };
    }
}
