namespace EhrR1.Graph.Evidence.Search;

/// <summary>How a pair search ended.</summary>
internal enum SearchOutcome
{
    /// <summary>At least one path; the first is a shortest one.</summary>
    Found,

    /// <summary>Both trees were exhausted (or hit their hop limit): no path within the hop limits.</summary>
    NoPath,

    /// <summary>The explored-node budget ran out before the ends met.</summary>
    BudgetExceeded,

    /// <summary>One end is not a node of the graph.</summary>
    NotInGraph,
}

/// <summary>A path as node ids and, per hop, label id &lt;&lt; 1 | reverse flag (see <see cref="Graph.RelationGraph"/>).</summary>
internal sealed record GraphPath(int[] Nodes, int[] Hops)
{
    public int Length => Hops.Length;

    /// <summary>Index of each hop in the graph's hop arrays (for its source); empty when not recorded.</summary>
    public int[] HopIndices { get; init; } = [];
}

/// <summary>The result of one pair search. <see cref="Truncated"/>: the budget ran out after a meeting, so the
/// paths are the shortest of those found rather than guaranteed shortest.</summary>
internal sealed record PairSearchResult(SearchOutcome Outcome, IReadOnlyList<GraphPath> Paths, int Explored, bool Truncated)
{
    public static readonly PairSearchResult NotInGraph = new(SearchOutcome.NotInGraph, [], 0, false);
}
