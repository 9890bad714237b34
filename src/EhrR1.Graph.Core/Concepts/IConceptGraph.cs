namespace EhrR1.Graph.Core.Concepts;

/// <summary>
/// Read access to the knowledge graph (see <c>graph-schema/README.md</c>): concepts, their UMLS relations and their
/// per-task co-occurrences. Implemented by the embedded store (in-process, the default) and by the Neo4j store, so
/// evidence search and exploration tools work on either. Implementations are thread-safe for concurrent readers.
/// </summary>
public interface IConceptGraph
{
    /// <summary>The concept with identifier <paramref name="cui"/>, or null.</summary>
    ValueTask<GraphConcept?> GetConceptAsync(string cui, CancellationToken cancellationToken = default);

    /// <summary>
    /// Concepts whose preferred name or one of whose terms (display strings that were resolved to it) equals
    /// <paramref name="name"/>, compared case-insensitively (invariant); ordered by identifier.
    /// </summary>
    ValueTask<IReadOnlyList<GraphConcept>> FindConceptsByNameAsync(string name, CancellationToken cancellationToken = default);

    /// <summary>
    /// The neighbours of <paramref name="cui"/> over the edge kinds in <paramref name="kinds"/>, in
    /// <paramref name="direction"/>; ordered by kind, direction, label, neighbour identifier.
    /// </summary>
    ValueTask<IReadOnlyList<GraphNeighbour>> GetNeighboursAsync(
        string cui,
        GraphEdgeKinds kinds = GraphEdgeKinds.All,
        EdgeDirection direction = EdgeDirection.Both,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// The strongest co-occurrences of target concept <paramref name="cui"/> within <paramref name="task"/>
    /// (outgoing <c>CO_OCCURS</c> edges), by lift descending, then count descending, then history term; at most
    /// <paramref name="limit"/>.
    /// </summary>
    ValueTask<IReadOnlyList<CooccurrenceEdge>> GetTopCooccurrencesAsync(string cui, string task, int limit, CancellationToken cancellationToken = default);

    /// <summary>The UMLS relations in which <paramref name="cui"/> takes part (as CUI1 or CUI2), in a stable order.</summary>
    ValueTask<IReadOnlyList<UmlsRelation>> GetUmlsRelationsAsync(string cui, CancellationToken cancellationToken = default);

    /// <summary>Counts of nodes and edges by kind: <c>concepts</c>, <c>terms</c>, <c>co_occurs</c>, <c>umls_rel</c>.</summary>
    ValueTask<IReadOnlyDictionary<string, long>> GetCountsAsync(CancellationToken cancellationToken = default);
}

/// <summary>Edge kinds of the knowledge graph.</summary>
[Flags]
public enum GraphEdgeKinds
{
    /// <summary>No edges.</summary>
    None = 0,

    /// <summary><c>[:UMLS_REL {rel, rela, sab}]</c> from MRREL.</summary>
    UmlsRelation = 1,

    /// <summary><c>[:CO_OCCURS {task, count, lift, ...}]</c> from target to history concept.</summary>
    CoOccurrence = 2,

    /// <summary>Every kind.</summary>
    All = UmlsRelation | CoOccurrence,
}

/// <summary>Direction of an edge as seen from the queried concept.</summary>
public enum EdgeDirection
{
    /// <summary>The queried concept is the start node.</summary>
    Outgoing = 1,

    /// <summary>The queried concept is the end node.</summary>
    Incoming = 2,

    /// <summary>Either direction (queries only).</summary>
    Both = 3,
}

/// <summary>One neighbour of a concept.</summary>
/// <param name="Concept">The neighbouring concept.</param>
/// <param name="Kind">The edge kind (exactly one flag).</param>
/// <param name="Direction">Outgoing or incoming, seen from the queried concept.</param>
/// <param name="Label">UMLS_REL: the RELA, or the REL when RELA is empty; CO_OCCURS: the task.</param>
/// <param name="Rel">UMLS_REL: the REL; CO_OCCURS: null.</param>
/// <param name="Sab">UMLS_REL: the source vocabulary; CO_OCCURS: null.</param>
/// <param name="Weight">CO_OCCURS: the lift; UMLS_REL: null.</param>
public sealed record GraphNeighbour(GraphConcept Concept, GraphEdgeKinds Kind, EdgeDirection Direction, string Label, string? Rel, string? Sab, double? Weight);

/// <summary>A <c>CO_OCCURS</c> edge: the statistics plus the concepts its two terms were resolved to.</summary>
/// <param name="TargetCui">Concept of the target term.</param>
/// <param name="HistoryCui">Concept of the history term.</param>
/// <param name="Stat">Counts, document frequencies and lift.</param>
public sealed record CooccurrenceEdge(string TargetCui, string HistoryCui, CooccurrenceStat Stat);

/// <summary>A term (a display string or matched vocabulary string) that names a concept.</summary>
/// <param name="Text">The term as it appears in the data.</param>
/// <param name="Cui">The concept it denotes.</param>
public sealed record GraphTerm(string Text, string Cui);
