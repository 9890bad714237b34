using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Filtering;

/// <summary>One line of the filtered reasoning set: the passing chains of a sample (in generation order).</summary>
public sealed record FilteredRecord(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("task_type")] string TaskType,
    [property: JsonPropertyName("prompt_id")] string PromptId,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("labels")] IReadOnlyList<string> Labels,
    [property: JsonPropertyName("label_is_string")] bool LabelIsString,
    [property: JsonPropertyName("chains")] IReadOnlyList<string> Chains,
    [property: JsonPropertyName("chain_indices")] IReadOnlyList<int> ChainIndices);
