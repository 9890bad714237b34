using EhrR1.Graph.Umls.Text;

namespace EhrR1.Graph.Umls.Indexing;

/// <summary>Written beside the Lucene files as <c>umls-index.json</c>: what the matcher must know to query the index.</summary>
internal sealed record IndexMetadata
{
    public const int CurrentFormat = 1;

    public int Format { get; init; } = CurrentFormat;

    public required NormalizationSettings Normalization { get; init; }

    public long Documents { get; init; }

    public long Concepts { get; init; }

    public int MaxFeatureCount { get; init; }

    /// <summary>Documents are added in ascending feature-count order, so each count is a contiguous docID range.</summary>
    public bool SizeOrdered { get; init; } = true;

    public IReadOnlyDictionary<string, string> SemanticTypeNames { get; init; } = new Dictionary<string, string>();
}
