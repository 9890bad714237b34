using System.Text.Json.Serialization;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>
/// One line of <c>labels.jsonl</c>: a task's instance count and how many instances carry each label, most frequent
/// first (ties by ordinal label). Discharge notes are not counted (the label is the whole note).
/// </summary>
public sealed record LabelCounts
{
    [JsonPropertyName("task")]
    public required string Task { get; init; }

    [JsonPropertyName("instances")]
    public required long Instances { get; init; }

    [JsonPropertyName("labels")]
    public required IReadOnlyList<LabelCount> Labels { get; init; }
}

/// <summary>A label and the number of instances that carry it.</summary>
public sealed record LabelCount(
    [property: JsonPropertyName("label")] string Label,
    [property: JsonPropertyName("count")] long Count);
