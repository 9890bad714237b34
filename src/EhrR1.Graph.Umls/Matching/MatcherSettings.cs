namespace EhrR1.Graph.Umls.Matching;

/// <summary>How overlapping spans are resolved when <see cref="MatcherSettings.BestMatch"/> is on.</summary>
internal enum OverlapCriterion
{
    /// <summary>Prefer the higher best similarity, then the longer span (QuickUMLS <c>score</c>).</summary>
    Score,

    /// <summary>Prefer the longer span, then the higher similarity (QuickUMLS <c>length</c>).</summary>
    Length,
}

/// <summary>How candidates of one span are ranked.</summary>
internal enum CandidateRanking
{
    /// <summary>Similarity descending, then preferred names first, then CUI (default).</summary>
    SimilarityThenPreferred,

    /// <summary>QuickUMLS's key: similarity + (1 if preferred), descending, so any preferred name outranks a synonym.</summary>
    Upstream,
}

/// <summary>Settings of the QuickUMLS-equivalent matcher. Defaults are QuickUMLS's.</summary>
internal sealed record MatcherSettings
{
    /// <summary>The 27 semantic types QuickUMLS accepts by default.</summary>
    public static readonly IReadOnlySet<string> QuickUmlsSemanticTypes = new HashSet<string>(StringComparer.Ordinal)
    {
        "T195", "T029", "T023", "T031", "T201", "T200", "T060", "T047", "T203", "T033", "T058", "T130", "T037", "T170",
        "T034", "T059", "T074", "T048", "T041", "T191", "T040", "T046", "T121", "T067", "T039", "T184", "T061",
    };

    public SimilarityMeasure Similarity { get; init; } = SimilarityMeasure.Jaccard;

    public double Threshold { get; init; } = 0.7;

    /// <summary>Maximum tokens per span. Default 5.</summary>
    public int Window { get; init; } = 5;

    /// <summary>Minimum span length in characters. Default 3.</summary>
    public int MinMatchLength { get; init; } = 3;

    /// <summary>Keep only non-overlapping spans (QuickUMLS <c>best_match</c>). Default true.</summary>
    public bool BestMatch { get; init; } = true;

    public OverlapCriterion OverlappingCriteria { get; init; } = OverlapCriterion.Score;

    public CandidateRanking Ranking { get; init; } = CandidateRanking.SimilarityThenPreferred;

    /// <summary>Accepted semantic types; null accepts every type. Default: the 27 QuickUMLS types.</summary>
    public IReadOnlySet<string>? AcceptedSemanticTypes { get; init; } = QuickUmlsSemanticTypes;

    /// <summary>Maximum candidates kept per span; 0 keeps all. Default 0.</summary>
    public int MaxCandidates { get; init; }

    /// <summary>Entries of the per-string result cache; 0 disables it. Default 200,000.</summary>
    public int CacheEntries { get; init; } = 200_000;

    public IEnumerable<string> Validate()
    {
        if (Threshold is <= 0 or > 1)
        {
            yield return $"--threshold must be in (0, 1]; got {Threshold}.";
        }

        if (Window < 1)
        {
            yield return $"--window must be at least 1; got {Window}.";
        }

        if (MinMatchLength < 1)
        {
            yield return $"--min-match-length must be at least 1; got {MinMatchLength}.";
        }

        if (MaxCandidates < 0 || CacheEntries < 0)
        {
            yield return "--max-candidates and the cache size must not be negative.";
        }
    }
}
