using System.Text.Json.Serialization;

namespace EhrR1.Graph.Core.Formats;

/// <summary>
/// One line of <c>evidence.jsonl</c> (written by <c>evidence search</c>, read by reasoning synthesis, reports and the
/// Neo4j thinking graphs). <see cref="Status"/> is one of <see cref="EvidenceStatus"/>; <see cref="Search"/> is
/// <c>knowledge</c> for the knowledge-first search and null for the upstream one. Read and write it through
/// <see cref="EvidenceFile"/>.
/// </summary>
public sealed record EvidenceRecord(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("counts")] EvidenceCounts Counts,
    [property: JsonPropertyName("pairs")] IReadOnlyList<EvidencePair> Pairs,
    [property: JsonPropertyName("paths")] IReadOnlyList<EvidencePath> Paths,
    [property: JsonPropertyName("rendered")] string Rendered,
    [property: JsonPropertyName("grade")] string? Grade = null,
    [property: JsonPropertyName("search")] string? Search = null)
{
    /// <summary>True when the record has paths and their prompt text (what a prompt with the thinking graph needs).</summary>
    [JsonIgnore]
    public bool HasGraph => Paths is { Count: > 0 } && !string.IsNullOrWhiteSpace(Rendered);
}
