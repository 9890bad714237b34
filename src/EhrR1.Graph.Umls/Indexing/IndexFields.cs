namespace EhrR1.Graph.Umls.Indexing;

/// <summary>Field names of the Lucene index (one document per distinct (CUI, normalised string) pair).</summary>
internal static class IndexFields
{
    /// <summary>Normalised string; keyword (exact lookup) and stored.</summary>
    public const string Normalized = "s";

    /// <summary>The first original string (as in MRCONSO) that normalised to <see cref="Normalized"/>; stored only.</summary>
    public const string Original = "raw";

    /// <summary>Concept identifier; keyword and stored.</summary>
    public const string Cui = "cui";

    /// <summary>"Y" when some atom with this string is the concept's preferred atom (TS=P, STT=PF, ISPREF=Y); keyword and stored.</summary>
    public const string Preferred = "pref";

    /// <summary>
    /// Number of MRCONSO atoms of the concept whose string normalises to <see cref="Normalized"/> (stored only; absent
    /// in indexes built before it existed, read as 1). Ranks an ambiguous exact name: the concept that more source
    /// atoms give this name is the more common sense.
    /// </summary>
    public const string Atoms = "atoms";

    /// <summary>Semantic types (TUI); keyword (one term per TUI) and stored.</summary>
    public const string Tui = "tui";

    /// <summary>Semantic groups (e.g. DISO, CHEM); keyword and stored.</summary>
    public const string Group = "grp";

    /// <summary>N-gram features; one untokenised term per feature, docs-only postings, no norms.</summary>
    public const string Feature = "ng";

    /// <summary>Feature count |Y|: an indexed Int32 field for range queries.</summary>
    public const string FeatureCount = "nf";

    /// <summary>Feature count as numeric doc values (loaded at open time).</summary>
    public const string FeatureCountValues = "nf_dv";

    /// <summary>Normalised string tokenised by the standard analyzer, for phrase queries.</summary>
    public const string Words = "words";

    public const string MetadataFile = "umls-index.json";
}
