namespace EhrR1.Graph.Umls.Sample;

/// <summary>Where the open relations write: atoms (with a semantic type) and MRREL rows. The builder dedupes both.</summary>
internal interface IVocabularySink
{
    void AddAtom(string cui, string sab, string tty, string code, string str, string tui);

    void AddRelation(string cui1, string rel, string cui2, string rela, string sab);
}

/// <summary>
/// The concepts of the core vocabulary that the open relations link to: Disease Ontology terms and their real CUIs,
/// ICD codes (without dots), LOINC codes, and disease names for exact-name links.
/// </summary>
internal sealed class VocabularyLinks
{
    /// <summary>DOID (e.g. <c>DOID:9352</c>) → concept id, for the terms in HumanDO.tsv.</summary>
    public Dictionary<string, string> DoConcepts { get; } = new(StringComparer.Ordinal);

    /// <summary>Real UMLS CUI a Disease Ontology term cross-references → that term's concept id.</summary>
    public Dictionary<string, string> CuiConcepts { get; } = new(StringComparer.Ordinal);

    /// <summary>ICD-9-CM diagnosis code without dot → concept id.</summary>
    public IReadOnlyDictionary<string, string> Icd9Dx { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>ICD-9-CM procedure code without dot → concept id.</summary>
    public IReadOnlyDictionary<string, string> Icd9Px { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>ICD-10-CM code without dot → concept id.</summary>
    public IReadOnlyDictionary<string, string> Icd10Cm { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>LOINC code → concept id (lab items with a LOINC code).</summary>
    public Dictionary<string, string> Loinc { get; } = new(StringComparer.Ordinal);

    /// <summary>Lowercased disease name → concept id (first name wins: DO labels, then ICD-10-CM, then ICD-9-CM titles).</summary>
    public Dictionary<string, string> DiseaseNames { get; } = new(StringComparer.Ordinal);

    public void AddDiseaseName(string name, string concept) => DiseaseNames.TryAdd(name.Trim().ToLowerInvariant(), concept);

    /// <summary>The concept of a real CUI: the Disease Ontology term's concept when DO cross-references it, else the CUI itself.</summary>
    public string ConceptOfCui(string cui) => CuiConcepts.TryGetValue(cui, out var c) ? c : cui;
}
