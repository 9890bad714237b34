namespace EhrR1.Graph.Umls.Text;

/// <summary>
/// How strings are normalised before n-gram extraction, at index time and at match time alike
/// (QuickUMLS's install options). The index records these and the matcher uses the index's values.
/// </summary>
internal sealed record NormalizationSettings
{
    /// <summary>Lowercase strings (QuickUMLS <c>-L</c>). Default true.</summary>
    public bool Lowercase { get; init; } = true;

    /// <summary>Fold Unicode letters to ASCII (QuickUMLS <c>-U</c>, here Lucene's ASCII folding). Default true.</summary>
    public bool FoldToAscii { get; init; } = true;

    /// <summary>Strings shorter than this (after normalisation) are not indexed. Default 3.</summary>
    public int MinLength { get; init; } = 3;

    /// <summary>Character n-gram length. Default 3 (trigrams).</summary>
    public int NgramLength { get; init; } = 3;

    /// <summary>
    /// Pad with n−1 begin/end marks before taking n-grams (SimString's <c>be</c> flag). Default false, as QuickUMLS
    /// builds its SimString database; strings shorter than n are then padded with spaces to length n.
    /// </summary>
    public bool BeginEndMarks { get; init; }
}
