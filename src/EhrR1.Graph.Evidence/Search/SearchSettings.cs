namespace EhrR1.Graph.Evidence.Search;

/// <summary>Budgets and rules of one pair search.</summary>
internal sealed record SearchSettings
{
    /// <summary>Nodes that may be added to the two search trees together (start and end not counted).</summary>
    public int MaxExploredNodes { get; init; } = EvidenceDefaults.MaxExploredNodes;

    /// <summary>Shortest paths (all of the minimal length, distinct meeting hops) kept per pair.</summary>
    public int MaxPaths { get; init; } = EvidenceDefaults.MaxPaths;

    /// <summary>Hop limit of each side's tree; a path has at most twice this plus one hop.</summary>
    public int MaxHopsPerSide { get; init; } = EvidenceDefaults.MaxHopsPerSide;

    /// <summary>Reject A -r-&gt; B &lt;-r- C and A &lt;-r- B -r-&gt; C (two concepts that only share a relation to B).</summary>
    public bool RejectSiblingHops { get; init; } = true;

    /// <summary>
    /// Let a path be the searched pair's own <c>co_occurs</c> edge (either direction). Off by default: that edge is
    /// the lift that selected the pair, so a one-hop path over it only restates the selection; with it skipped, a
    /// path has to go through other concepts (or a UMLS relation between the two). <c>--keep-pair-edge</c>.
    /// </summary>
    public bool KeepPairCooccurrence { get; init; }
}
