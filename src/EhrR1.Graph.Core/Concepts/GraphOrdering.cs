namespace EhrR1.Graph.Core.Concepts;

/// <summary>The stable orders every <see cref="IConceptGraph"/> implementation returns, so stores are interchangeable.</summary>
public static class GraphOrdering
{
    /// <summary>Neighbours by kind, direction, label, neighbour identifier, REL, SAB (ordinal).</summary>
    public static IReadOnlyList<GraphNeighbour> Neighbours(IEnumerable<GraphNeighbour> neighbours) =>
        neighbours
            .OrderBy(n => n.Kind)
            .ThenBy(n => n.Direction)
            .ThenBy(n => n.Label, StringComparer.Ordinal)
            .ThenBy(n => n.Concept.Cui, StringComparer.Ordinal)
            .ThenBy(n => n.Rel, StringComparer.Ordinal)
            .ThenBy(n => n.Sab, StringComparer.Ordinal)
            .ToList();

    /// <summary>Relations by CUI1, CUI2, REL, RELA, SAB (ordinal).</summary>
    public static IReadOnlyList<UmlsRelation> Relations(IEnumerable<UmlsRelation> relations) =>
        relations
            .OrderBy(r => r.Cui1, StringComparer.Ordinal)
            .ThenBy(r => r.Cui2, StringComparer.Ordinal)
            .ThenBy(r => r.Rel, StringComparer.Ordinal)
            .ThenBy(r => r.Rela, StringComparer.Ordinal)
            .ThenBy(r => r.Sab, StringComparer.Ordinal)
            .ToList();

    /// <summary>Co-occurrences by lift descending, count descending, history term (ordinal).</summary>
    public static IReadOnlyList<CooccurrenceEdge> Cooccurrences(IEnumerable<CooccurrenceEdge> edges) =>
        edges
            .OrderByDescending(e => e.Stat.Lift)
            .ThenByDescending(e => e.Stat.Count)
            .ThenBy(e => e.Stat.History, StringComparer.Ordinal)
            .ToList();
}
