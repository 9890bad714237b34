using EhrR1.Graph.Evidence.Search;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>Which history concepts pair selection may use.</summary>
internal enum HistoryMode
{
    /// <summary>Only concepts visible in the rendered input (the default; fixes upstream's leak).</summary>
    Visible,

    /// <summary>Upstream behaviour: also the hidden ones (bid_event events, the target admission).</summary>
    Upstream,
}

/// <summary>How paths are rendered for prompts.</summary>
internal enum PathFormat
{
    /// <summary><c>A —[rel]→ B ←[rel]— C</c>, one path per line.</summary>
    Arrow,

    /// <summary>Upstream: Python list repr <c>['A', 'rel', 'B']</c>, one path per line.</summary>
    Python,
}

/// <summary>Which search builds the thinking graphs.</summary>
internal enum SearchMode
{
    /// <summary>The default: from each target over knowledge relations only, graded explanations (docs/evidence.md).</summary>
    Knowledge,

    /// <summary>Upstream: lift-selected pairs, shortest paths over the chosen graph kind.</summary>
    Upstream,
}

/// <summary>Settings of <c>evidence search</c>.</summary>
internal sealed record EvidenceSettings
{
    public required string SamplesPath { get; init; }

    public required string OutputPath { get; init; }

    public double LiftThreshold { get; init; } = EvidenceDefaults.LiftThreshold;

    public long MinSupport { get; init; } = EvidenceDefaults.MinSupport;

    public int TopK { get; init; } = EvidenceDefaults.TopK;

    public HistoryMode History { get; init; } = HistoryMode.Visible;

    public PathFormat Format { get; init; } = PathFormat.Arrow;

    public SearchSettings Search { get; init; } = new();

    /// <summary>Knowledge-first (default) or upstream search.</summary>
    public SearchMode Mode { get; init; } = SearchMode.Knowledge;

    /// <summary>Budgets of the knowledge-first search.</summary>
    public KnowledgeSearchSettings Knowledge { get; init; } = new();

    /// <summary>Knowledge-first search: a target without a knowledge path gets its top lift pairs as labelled
    /// co-occurrence hops ("observed together in N samples (lift L)"), never as relations.</summary>
    public bool CooccurrenceFallback { get; init; }

    /// <summary>Paths kept per pair (1 = the shortest only; at most <see cref="SearchSettings.MaxPaths"/>).</summary>
    public int PathsPerPair { get; init; } = 1;

    public int DegreeOfParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Shard index (0-based) and count: a sample belongs to shard FNV-1a(sample_id) mod count.</summary>
    public int ShardIndex { get; init; }

    public int ShardCount { get; init; } = 1;

    /// <summary>Continue a partial output left by an interrupted run.</summary>
    public bool Resume { get; init; }

    /// <summary>Settings applied while loading the inputs that also shape the records (graph kind, excluded relations):
    /// recorded beside the output and compared on <see cref="Resume"/> with the ones of <c>DescribeSettings</c>.</summary>
    public IReadOnlyDictionary<string, string?> LoadSettings { get; init; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>Pair results cached across samples (entries); 0 disables the cache.</summary>
    public int PairCacheCapacity { get; init; } = 1_000_000;

    /// <summary>Samples processed per ordered batch (memory bound of the pipeline).</summary>
    public int BatchSize { get; init; } = 2048;
}
