using System.Text.Json.Serialization;

namespace EhrR1.Graph.Core.Formats;

/// <summary>A path of an <see cref="EvidenceRecord"/>, from a target concept to a history concept.</summary>
public sealed record EvidencePath(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("history")] string History,
    [property: JsonPropertyName("nodes")] IReadOnlyList<EvidenceNode> Nodes,
    [property: JsonPropertyName("hops")] IReadOnlyList<EvidenceHop> Hops,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("grade")] string? Grade = null);
