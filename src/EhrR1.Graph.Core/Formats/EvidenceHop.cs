using System.Text.Json.Serialization;

namespace EhrR1.Graph.Core.Formats;

/// <summary>
/// A hop of an <see cref="EvidencePath"/>: its relation label, <c>forward</c> (stored from the previous node to the next
/// one) or <c>reverse</c>, the sources (SAB, several joined by <c>+</c>) that state it, and for a co-occurrence hop the
/// note that says what it is ("observed together in N samples (lift L)"). <see cref="Reads"/>: <c>forward</c> when the
/// relation reads from the previous node to the next ("insulin may_treat diabetes"), <c>backward</c> otherwise (UMLS
/// rows read "CUI2 RELA CUI1").
/// </summary>
public sealed record EvidenceHop(
    [property: JsonPropertyName("relation")] string Relation,
    [property: JsonPropertyName("direction")] string Direction,
    [property: JsonPropertyName("source")] string? Source = null,
    [property: JsonPropertyName("reads")] string? Reads = null,
    [property: JsonPropertyName("note")] string? Note = null);
