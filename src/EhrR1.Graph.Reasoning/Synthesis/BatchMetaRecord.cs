using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>One line of <c>batch/meta.jsonl</c>: what ingest needs to turn a Batch result back into a <see cref="ReasoningRecord"/>.</summary>
public sealed record BatchMetaRecord(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("task_type")] string TaskType,
    [property: JsonPropertyName("prompt_id")] string PromptId,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("label_is_string")] bool LabelIsString,
    [property: JsonPropertyName("file")] string File);
