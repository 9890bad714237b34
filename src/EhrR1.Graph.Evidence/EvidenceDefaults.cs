namespace EhrR1.Graph.Evidence;

/// <summary>Upstream defaults (upstream-pipeline §2.5, §2.6, appendix 3–4).</summary>
internal static class EvidenceDefaults
{
    /// <summary>RELA values never traversed (upstream's exclusion list).</summary>
    public static readonly IReadOnlyList<string> ExcludedRelas =
    [
        "subset includes concept",
        "concept in subset",
        "Has contraindicated drug",
        "Contraindicated with disease",
    ];

    public const double LiftThreshold = 5;
    public const long MinSupport = 5;
    public const int TopK = 20;
    public const int MaxExploredNodes = 2000;
    public const int MaxPaths = 10;
    public const int MaxHopsPerSide = 10;

    /// <summary>Knowledge-first search: hop limit of a path.</summary>
    public const int KnowledgeMaxHops = 4;

    /// <summary>Knowledge-first search: nodes with more distinct neighbours are not walked through.</summary>
    public const int HubDegreeCap = 200;

    /// <summary>Knowledge-first search: search states per target before it stops.</summary>
    public const int KnowledgeMaxStates = 200_000;

    /// <summary>Knowledge-first search: search states cached across samples (about 24 bytes each).</summary>
    public const long KnowledgeCacheStates = 20_000_000;

    /// <summary>Knowledge-first search: explanations kept per target.</summary>
    public const int PathsPerTarget = 3;
}
