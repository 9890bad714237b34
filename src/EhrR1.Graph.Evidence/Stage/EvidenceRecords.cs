using System.Text.Json.Serialization;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>Why a sample has or has not got a thinking graph (the last attrition point it reached).</summary>
internal static class EvidenceStatus
{
    public const string Graph = "graph";
    public const string NoCooccurrence = "no_cooccurrence";
    public const string NoPairs = "no_pairs";
    public const string NoCui = "no_cui";
    public const string NoPath = "no_path";
    public const string EndpointFiltered = "endpoint_filtered";

    /// <summary>Knowledge-first search: no target term resolved to a concept of the graph.</summary>
    public const string NoTargetConcept = "no_target_concept";

    /// <summary>Knowledge-first search: no history term resolved to a concept of the graph.</summary>
    public const string NoHistoryConcept = "no_history_concept";

    /// <summary>Knowledge-first search: no path, and the search met hubs it did not walk through (the hub cap).</summary>
    public const string HubCap = "hub_cap";

    public static readonly IReadOnlyList<string> All = [Graph, NoCooccurrence, NoPairs, NoCui, NoPath, EndpointFiltered, NoTargetConcept, NoHistoryConcept, HubCap];
}

/// <summary>One output line of <c>evidence search</c>.</summary>
internal sealed record EvidenceRecord(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("task")] string Task,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("counts")] EvidenceCounts Counts,
    [property: JsonPropertyName("pairs")] IReadOnlyList<EvidencePair> Pairs,
    [property: JsonPropertyName("paths")] IReadOnlyList<EvidencePath> Paths,
    [property: JsonPropertyName("rendered")] string Rendered,
    [property: JsonPropertyName("grade")] string? Grade = null,
    [property: JsonPropertyName("search")] string? Search = null);

/// <summary>Per-sample counts at each attrition point (upstream-pipeline §6, points 1–5).</summary>
internal sealed record EvidenceCounts(
    [property: JsonPropertyName("targets")] int Targets,
    [property: JsonPropertyName("targets_no_cooccurrence")] int TargetsNoCooccurrence,
    [property: JsonPropertyName("pairs")] int Pairs,
    [property: JsonPropertyName("pairs_no_cui")] int PairsNoCui,
    [property: JsonPropertyName("pairs_no_path")] int PairsNoPath,
    [property: JsonPropertyName("pairs_endpoint_filtered")] int PairsEndpointFiltered,
    [property: JsonPropertyName("paths")] int Paths);

/// <summary>A selected pair and what became of it: <c>path</c>, <c>no_cui</c>, <c>no_path</c>, <c>budget</c> (no
/// path within the explored-node budget) or <c>endpoint_filtered</c> (both ends are the same concept).</summary>
internal sealed record EvidencePair(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("history")] string History,
    [property: JsonPropertyName("lift")] double Lift,
    [property: JsonPropertyName("target_cui")] string? TargetCui,
    [property: JsonPropertyName("history_cui")] string? HistoryCui,
    [property: JsonPropertyName("status")] string Status,
    [property: JsonPropertyName("explored")] int Explored,
    [property: JsonPropertyName("grade")] string? Grade = null);

/// <summary>A path from a target concept to a history concept.</summary>
internal sealed record EvidencePath(
    [property: JsonPropertyName("target")] string Target,
    [property: JsonPropertyName("history")] string History,
    [property: JsonPropertyName("nodes")] IReadOnlyList<EvidenceNode> Nodes,
    [property: JsonPropertyName("hops")] IReadOnlyList<EvidenceHop> Hops,
    [property: JsonPropertyName("truncated")] bool Truncated,
    [property: JsonPropertyName("grade")] string? Grade = null);

/// <summary>A concept of a path; <see cref="Kind"/> is its display kind (Drug, Disorder, LabTest, Procedure, DrugClass,
/// Category; <c>EhrR1.Graph.Core.Concepts.ConceptKinds</c>) where known.</summary>
internal sealed record EvidenceNode(
    [property: JsonPropertyName("cui")] string Cui,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string? Kind = null);

/// <summary>
/// A hop: its relation label, <c>forward</c> (stored from the previous node to the next one) or <c>reverse</c>, the
/// sources (SAB, several joined by <c>+</c>) that state it, and for a co-occurrence hop the note that says what it is
/// ("observed together in N samples (lift L)"). <see cref="Reads"/>: <c>forward</c> when the relation reads from the
/// previous node to the next ("insulin may_treat diabetes"), <c>backward</c> otherwise (UMLS rows read "CUI2 RELA
/// CUI1").
/// </summary>
internal sealed record EvidenceHop(
    [property: JsonPropertyName("relation")] string Relation,
    [property: JsonPropertyName("direction")] string Direction,
    [property: JsonPropertyName("source")] string? Source = null,
    [property: JsonPropertyName("reads")] string? Reads = null,
    [property: JsonPropertyName("note")] string? Note = null);
