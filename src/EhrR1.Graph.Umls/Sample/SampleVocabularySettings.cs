namespace EhrR1.Graph.Umls.Sample;

/// <summary>Settings of <c>ehr-graph umls build-sample</c>.</summary>
internal sealed record SampleVocabularySettings
{
    /// <summary>The shared open data folder (holds mimic-iv-demo-2.2/, vocab-disease-ontology/, ...).</summary>
    public required string DataDirectory { get; init; }

    /// <summary>Output folder for the RRF files (replaced atomically).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Include the MIMIC display labels (lab labels, drug names, ICU item labels) as synonyms. Default true.</summary>
    public bool IncludeMimicLabels { get; init; } = true;

    /// <summary>Opt-in relation sources to add (names from <see cref="RelationSources"/>, e.g. loinc2hpo, medi,
    /// sider4); empty by default. Their terms then apply to the output and are logged and written to the manifest.</summary>
    public IReadOnlyList<string> OptInRelations { get; init; } = [];

    public bool Force { get; init; }
}
