namespace EhrR1.Graph.Umls.Rrf;

/// <summary>
/// Which MRCONSO atoms and which concepts to keep. Defaults: English only, every source vocabulary, unsuppressed
/// atoms only (SUPPRESS=N), every semantic type.
/// </summary>
internal sealed record RrfFilterSettings
{
    /// <summary>Languages (LAT) to keep; empty keeps all. Default ENG.</summary>
    public IReadOnlySet<string> Languages { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "ENG" };

    /// <summary>Source vocabularies (SAB) to keep; empty keeps all.</summary>
    public IReadOnlySet<string> IncludeSources { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>Source vocabularies (SAB) to drop.</summary>
    public IReadOnlySet<string> ExcludeSources { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    /// <summary>SUPPRESS values to keep: N (not suppressible), O (obsolete), E (editor), Y (suppressible). Default N.</summary>
    public IReadOnlySet<string> KeepSuppress { get; init; } = new HashSet<string>(StringComparer.Ordinal) { "N" };

    /// <summary>Semantic types (TUI) a concept must have at least one of; empty keeps all.</summary>
    public IReadOnlySet<string> SemanticTypes { get; init; } = new HashSet<string>(StringComparer.Ordinal);

    public bool Accepts(ConceptAtom atom) =>
        (Languages.Count == 0 || Languages.Contains(atom.Lat))
        && (IncludeSources.Count == 0 || IncludeSources.Contains(atom.Sab))
        && !ExcludeSources.Contains(atom.Sab)
        && (KeepSuppress.Count == 0 || KeepSuppress.Contains(atom.Suppress.Length == 0 ? "N" : atom.Suppress));

    public bool AcceptsTypes(IReadOnlyList<string> tuis)
    {
        if (SemanticTypes.Count == 0)
        {
            return true;
        }

        foreach (var t in tuis)
        {
            if (SemanticTypes.Contains(t))
            {
                return true;
            }
        }

        return false;
    }

    public IDictionary<string, string?> Describe() => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["languages"] = string.Join(',', Languages.Order(StringComparer.Ordinal)),
        ["include_sources"] = string.Join(',', IncludeSources.Order(StringComparer.Ordinal)),
        ["exclude_sources"] = string.Join(',', ExcludeSources.Order(StringComparer.Ordinal)),
        ["keep_suppress"] = string.Join(',', KeepSuppress.Order(StringComparer.Ordinal)),
        ["semantic_types"] = string.Join(',', SemanticTypes.Order(StringComparer.Ordinal)),
    };
}
