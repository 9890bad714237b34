using System.Text.Json.Serialization;

namespace EhrR1.Graph.Core.Formats;

/// <summary>A selected (target, history) pair of an <see cref="EvidenceRecord"/>; <see cref="Status"/> is one of
/// <see cref="EvidencePairStatus"/>.</summary>
public sealed record EvidencePair(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("history")] string History,
    [property: JsonPropertyName("lift")] double Lift,
    [property: JsonPropertyName("target_cui")] string? TargetCui,
    [property: JsonPropertyName("history_cui")] string? HistoryCui,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("explored")] int Explored,
    [property: JsonPropertyName("grade")] string? Grade = null);
