using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Umls.Matching;

namespace EhrR1.Graph.Umls.Sample;

/// <summary>
/// Builds the open clinical relations of the sample vocabulary from <c>open-relations/</c> in the shared data folder
/// (see its README and <c>umls/README.md</c>): drug ingredient → indication (LabeledIn, PharmacotherapyDB,
/// DrugCentral; opt-in MEDI), product → ingredient for the MIMIC drugs (RxNorm names, MIMIC names), drug →
/// pharmacologic class (DrugCentral), diagnosis / procedure code → CCS / CCSR category, and the opt-in LOINC2HPO lab
/// result → phenotype and SIDER 4 drug → side effect. Every relation is written as two MRREL rows (the relation and
/// its inverse; orientation as in MRREL: "CUI2 RELA CUI1") with the source as SAB. Ingredients take their real UMLS
/// CUI (RxNorm via BioPortal, else DrugCentral), diseases the Disease Ontology term's concept where DO
/// cross-references them, else their real CUI. Counts per source: rows read, linked, dropped and why.
/// </summary>
internal sealed class OpenRelationsBuilder
{
    public const string Folder = "open-relations";

    private static readonly string[] SaltWords =
    [
        "hydrochloride", "hcl", "hydrobromide", "hbr", "sodium", "potassium", "calcium", "magnesium", "citrate", "sulfate", "sulphate",
        "succinate", "tartrate", "bitartrate", "maleate", "mesylate", "besylate", "acetate", "phosphate", "bromide", "chloride",
        "fumarate", "hemifumarate", "hyclate", "monohydrate", "dihydrate", "trihydrate", "anhydrous", "gluconate", "lactate",
        "disodium", "dipropionate", "propionate", "valerate", "furoate", "decanoate", "pamoate", "xinafoate", "tromethamine",
        "mononitrate", "nitrate", "oxalate", "salicylate", "stearate", "estolate", "ethylsuccinate", "palmitate", "lysine",
        "meglumine", "bicarbonate", "carbonate", "hydroxide", "oxide", "sod", "succ", "base", "free",
    ];

    private readonly string _dir;
    private readonly IVocabularySink _sink;
    private readonly IDictionary<string, long> _counts;
    private readonly VocabularyLinks _links;

    // drug identity
    private readonly Dictionary<string, RxEntry> _rxnorm = new(StringComparer.Ordinal); // RxCUI -> BioPortal entry (non clinical-drug concepts)
    private readonly Dictionary<string, DcDrug> _dc = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DcDrug> _dcByRxcui = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DcDrug> _dcByDrugBank = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DcDrug> _dcByPubChem = new(StringComparer.Ordinal);
    private readonly SortedSet<string> _knownIngredients = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _labeledInNames = new(StringComparer.Ordinal);
    private readonly Dictionary<string, DrugKey> _ingredientByName = new(StringComparer.Ordinal);
    private readonly Dictionary<DrugKey, string> _materialized = [];
    private readonly HashSet<string> _diseaseAtoms = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cuiConcept = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (string File, long Line, string Field, string Expected, int Length)> _firstMalformed = new(StringComparer.Ordinal);

    public OpenRelationsBuilder(string dataDirectory, IVocabularySink sink, VocabularyLinks links, IDictionary<string, long> counts)
    {
        _dir = Path.Combine(dataDirectory, Folder);
        _sink = sink;
        _links = links;
        _counts = counts;
    }

    /// <summary>The files read (for the manifest), in reading order.</summary>
    public List<string> Inputs { get; } = [];

    /// <summary>The default source files (all must exist).</summary>
    public static IReadOnlyList<string[]> DefaultFiles { get; } =
    [
        ["rxnorm-bioportal", "RXNORM.csv.gz"],
        ["drugcentral-2016", "identifiers.tsv"],
        ["labeledin", "data", "indications.tsv"],
        ["pharmacotherapydb", "indications.tsv"],
        ["drugcentral-2016", "drug_indication.tsv"],
        ["drugcentral-2016", "pharm_class.tsv"],
        ["ahrq-ccs", "ccs-dxref-2015.csv"],
        ["ahrq-ccs", "ccs-prref-2015.csv"],
        ["ahrq-ccs", "ccsr-dx-v2023-1.csv.gz"],
    ];

    /// <summary>The files of an opt-in source.</summary>
    public static IReadOnlyList<string[]> OptInFiles(string source) => source switch
    {
        RelationSources.Loinc2HpoName =>
        [
            ["loinc2hpo", "loinc2hpo-annotations.tsv"], ["hpo", "upheno-relations.csv"], ["hpo", "chemical-phenotypes.tsv"], ["hpo", "layperson-synonyms.tsv"],
        ],
        RelationSources.MediName => [["medi", "MEDI_01212013_UMLS.csv.gz"]],
        RelationSources.Sider4Name => [["sider4", "download", "meddra_all_se.tsv.gz"], ["sider4", "data", "indications.tsv"]],
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "not an opt-in relation source"),
    };

    /// <summary>Checks that the default files and the files of the named opt-in sources exist.</summary>
    /// <exception cref="StageConfigurationException">A file is missing (named with its path under the data folder).</exception>
    public void CheckFiles(IReadOnlyList<string> optIn)
    {
        var missing = new List<string>();
        foreach (var parts in DefaultFiles)
        {
            if (!File.Exists(PathOf(parts)))
            {
                missing.Add($"{Folder}/{string.Join('/', parts)} was not found under the data folder (a default open relation source). Pass --data with the shared open data folder.");
            }
        }

        foreach (var source in optIn)
        {
            foreach (var parts in OptInFiles(source))
            {
                if (!File.Exists(PathOf(parts)))
                {
                    missing.Add($"{Folder}/{string.Join('/', parts)} was not found under the data folder; it is needed because --relations names {source}.");
                }
            }
        }

        if (missing.Count > 0)
        {
            throw new StageConfigurationException(missing);
        }
    }

    private string PathOf(string[] parts) => Path.Combine([_dir, .. parts]);

    private CsvRecordReader Reader(string[] parts, char separator, IReadOnlyList<string>? required = null, string[]? columns = null, int skipLines = 0, bool singleQuotes = false)
    {
        var path = PathOf(parts);
        Inputs.Add(path);
        return new CsvRecordReader(path, separator, required, columns, skipLines, singleQuotes, displayName: Folder + "/" + string.Join('/', parts));
    }

    private void Count(string key, long add = 1) => _counts[key] = (_counts.TryGetValue(key, out var v) ? v : 0) + add;

    private void Zero(string source, params string[] keys)
    {
        foreach (var k in keys)
        {
            _counts.TryAdd(source + "_" + k, 0);
        }
    }

    // ---------------------------------------------------------------- drug identity

    /// <summary>Reads RxNorm names and CUIs (BioPortal), DrugCentral identifiers and the LabeledIn ingredients.</summary>
    public async Task LoadDrugIdentityAsync(CancellationToken cancellationToken)
    {
        await foreach (var r in Reader(["rxnorm-bioportal", "RXNORM.csv.gz"], ',', ["Class ID", "Preferred Label", "Synonyms", "CUI", "Semantic Types"]).ReadAsync(cancellationToken))
        {
            var id = r["Class ID"];
            const string prefix = "http://purl.bioontology.org/ontology/RXNORM/";
            if (!id.StartsWith(prefix, StringComparison.Ordinal))
            {
                continue; // the export also lists the Semantic Network types
            }

            var rxcui = id[prefix.Length..];
            if (!Valid(IsDigits(rxcui), r, "Class ID", "an RxNorm id (http://purl.bioontology.org/ontology/RXNORM/<RxCUI>)", rxcui, "rxnorm_bioportal"))
            {
                continue;
            }

            var types = r["Semantic Types"].Split('|', StringSplitOptions.RemoveEmptyEntries).Select(t => t[(t.LastIndexOf('/') + 1)..]).Where(t => t.Length == 4 && t[0] == 'T').ToArray();
            if (types.Contains("T200", StringComparer.Ordinal))
            {
                continue; // clinical drugs: the MIMIC map names them
            }

            var cui = r["CUI"].Split('|')[0];
            _rxnorm[rxcui] = new RxEntry(r["Preferred Label"], r["Synonyms"].Split('|', StringSplitOptions.RemoveEmptyEntries), OpenVocabularyBuilder.IsRealCui(cui) ? cui : null, types);
            Count("rxnorm_bioportal_concepts");
        }

        EndSource("rxnorm_bioportal", _rxnorm.Count);

        long identifiers = 0;
        await foreach (var r in Reader(["drugcentral-2016", "identifiers.tsv"], '\t', ["DRUG_ID", "DRUG_NAME", "ID_TYPE", "IDENTIFIER"]).ReadAsync(cancellationToken))
        {
            identifiers++;
            if (Dc(r["DRUG_ID"], r["DRUG_NAME"], r, "drugcentral_identifiers") is not { } drug)
            {
                continue;
            }

            var value = r["IDENTIFIER"].Trim();
            switch (r["ID_TYPE"])
            {
                case "RXNORM":
                    if (!Valid(IsDigits(value), r, "IDENTIFIER", "an RxCUI", value, "drugcentral_identifiers"))
                    {
                        break;
                    }

                    drug.Rxcui ??= value;
                    _dcByRxcui.TryAdd(value, drug);
                    _knownIngredients.Add(value);
                    break;
                case "UMLSCUI" when OpenVocabularyBuilder.IsRealCui(value):
                    drug.Cui ??= value;
                    break;
                case "DRUGBANK_ID":
                    _dcByDrugBank.TryAdd(value, drug);
                    break;
                case "PUBCHEM_CID":
                    _dcByPubChem.TryAdd(value, drug);
                    break;
            }
        }

        EndSource("drugcentral_identifiers", identifiers);

        await foreach (var r in Reader(["labeledin", "data", "indications.tsv"], '\t', ["rxnorm_id", "rxnorm_name"]).ReadAsync(cancellationToken))
        {
            var ids = r["rxnorm_id"].Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Where(id => IsDigits(id)).ToArray();
            foreach (var rxcui in ids)
            {
                _knownIngredients.Add(rxcui); // malformed ids are counted when the relations are read
            }

            if (ids.Length == 1 && r["rxnorm_name"].Trim().Length > 0)
            {
                _labeledInNames.TryAdd(ids[0], r["rxnorm_name"].Trim());
            }
        }

        IndexIngredientNames();
    }

    /// <summary>Registers an RxNorm ingredient named by another input (an ICU item mapped to an RxNorm ingredient).</summary>
    public void AddKnownIngredient(string rxcui, string name)
    {
        if (_knownIngredients.Add(rxcui))
        {
            _labeledInNames.TryAdd(rxcui, name);
            AddName(NormalizeName(name), new DrugKey(rxcui, null));
        }
    }

    private void IndexIngredientNames()
    {
        // first name wins: RxNorm preferred labels, RxNorm synonyms, LabeledIn names, DrugCentral names
        foreach (var rxcui in _knownIngredients)
        {
            if (_rxnorm.TryGetValue(rxcui, out var e))
            {
                AddName(NormalizeName(e.Label), new DrugKey(rxcui, null));
            }
        }

        foreach (var rxcui in _knownIngredients)
        {
            if (_rxnorm.TryGetValue(rxcui, out var e))
            {
                foreach (var s in e.Synonyms)
                {
                    AddName(NormalizeName(s), new DrugKey(rxcui, null));
                }
            }
        }

        foreach (var (rxcui, name) in _labeledInNames.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            AddName(NormalizeName(name), new DrugKey(rxcui, null));
        }

        foreach (var d in _dc.Values.OrderBy(d => d.Id.Length).ThenBy(d => d.Id, StringComparer.Ordinal))
        {
            AddName(NormalizeName(d.Name), d.Rxcui is { } rx ? new DrugKey(rx, null) : new DrugKey(null, d.Id));
        }
    }

    private void AddName(string name, DrugKey key)
    {
        if (name.Length > 0)
        {
            _ingredientByName.TryAdd(name, key);
        }
    }

    private DcDrug? Dc(string id, string name, CsvRecord r, string source)
    {
        id = id.Trim();
        if (!Valid(IsDigits(id), r, "DRUG_ID", "a DrugCentral drug id (digits)", id, source))
        {
            return null;
        }

        if (!_dc.TryGetValue(id, out var d))
        {
            d = _dc[id] = new DcDrug(id, name.Trim());
        }

        return d;
    }

    /// <summary>The concept of an RxNorm concept that the MIMIC maps name: the ingredient concept when it is a known
    /// ingredient (real CUI where known), else <c>XRXNORM_&lt;RxCUI&gt;</c>.</summary>
    public string ProductConcept(string rxcui) => _knownIngredients.Contains(rxcui) ? ConceptOfRxcui(rxcui) : "XRXNORM_" + rxcui;

    private string ConceptOfRxcui(string rxcui) =>
        _rxnorm.TryGetValue(rxcui, out var e) && e.Cui is { } cui ? cui
        : _dcByRxcui.TryGetValue(rxcui, out var d) && d.Cui is { } dcui ? dcui
        : "XRXNORM_" + rxcui;

    /// <summary>The ingredient concept of a key, with its atoms (written once).</summary>
    private string Ingredient(DrugKey key, string? fallbackName = null)
    {
        if (_materialized.TryGetValue(key, out var concept))
        {
            return concept;
        }

        if (key.Rxcui is { } rxcui)
        {
            concept = ConceptOfRxcui(rxcui);
            var entry = _rxnorm.GetValueOrDefault(rxcui);
            var name = entry?.Label ?? _labeledInNames.GetValueOrDefault(rxcui) ?? fallbackName ?? (_dcByRxcui.TryGetValue(rxcui, out var dn) ? dn.Name : rxcui);
            var tuis = entry is { Tuis.Length: > 0 } ? entry.Tuis : ["T121"];
            foreach (var tui in tuis)
            {
                _sink.AddAtom(concept, ClinicalRelations.RxNorm, "IN", rxcui, name, tui);
            }

            if (_dcByRxcui.TryGetValue(rxcui, out var dc) && !string.Equals(NormalizeName(dc.Name), NormalizeName(name), StringComparison.Ordinal))
            {
                _sink.AddAtom(concept, ClinicalRelations.DrugCentral, "PT", dc.Id, dc.Name, "T121");
            }
        }
        else
        {
            var dc = _dc[key.DcId!];
            concept = dc.Cui ?? "XDRUGCENTRAL_" + dc.Id;
            _sink.AddAtom(concept, ClinicalRelations.DrugCentral, "PT", dc.Id, dc.Name, "T121");
        }

        _materialized[key] = concept;
        return concept;
    }

    private string DcIngredient(DcDrug d) => Ingredient(d.Rxcui is { } rx ? new DrugKey(rx, null) : new DrugKey(null, d.Id), d.Name);

    /// <summary>An ingredient named by <paramref name="name"/>: exactly, then without dose form and strength
    /// (<see cref="TermReducer"/>), then without salt words.</summary>
    internal DrugKey? FindIngredient(string name)
    {
        var n = NormalizeName(name);
        if (n.Length == 0)
        {
            return null;
        }

        if (_ingredientByName.TryGetValue(n, out var key))
        {
            return key;
        }

        var reduced = TermReducer.Reduce(n);
        if (reduced.Length > 0 && _ingredientByName.TryGetValue(reduced, out key))
        {
            return key;
        }

        var words = (reduced.Length > 0 ? reduced : n).Split(' ').ToList();
        while (words.Count > 1 && SaltWords.Contains(words[^1], StringComparer.Ordinal))
        {
            words.RemoveAt(words.Count - 1);
            if (_ingredientByName.TryGetValue(string.Join(' ', words), out key))
            {
                return key;
            }
        }

        while (words.Count > 1 && SaltWords.Contains(words[0], StringComparer.Ordinal))
        {
            words.RemoveAt(0);
            if (_ingredientByName.TryGetValue(string.Join(' ', words), out key))
            {
                return key;
            }
        }

        return null;
    }

    internal static string NormalizeName(string s) => OpenVocabularyBuilder.Clean(s.Trim().Trim('"').ToLowerInvariant()).TrimEnd('.', ',', ';');

    /// <summary>The ingredient names inside an RxNorm product name: each " / " component up to its strength
    /// ("furosemide 40 MG Oral Tablet" → furosemide); for drug forms without strength, the name without dose form and
    /// route ("norepinephrine Injection" → norepinephrine). A truncated name ("...") loses its last component.</summary>
    internal static List<string> IngredientNamesOf(string rxName)
    {
        var names = new List<string>();
        var truncated = rxName.EndsWith("...", StringComparison.Ordinal);
        var text = truncated ? rxName[..^3] : rxName;
        text = StripBrackets(text);
        var parts = text.Split(" / ", StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        if (truncated && parts.Count > 1)
        {
            parts.RemoveAt(parts.Count - 1);
        }

        foreach (var part in parts)
        {
            var words = part.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            var i = 0;
            while (i < words.Length && (char.IsDigit(words[i][0]) || words[i] is "ML" or "MG" or "HR" or "ACTUAT"))
            {
                i++; // a leading quantity: "0.5 ML Neisseria ..."
            }

            var name = new List<string>();
            var sawStrength = false;
            for (; i < words.Length; i++)
            {
                if (char.IsDigit(words[i][0]))
                {
                    sawStrength = true;
                    break;
                }

                name.Add(words[i]);
            }

            var candidate = NormalizeName(string.Join(' ', name));
            if (!sawStrength)
            {
                candidate = TermReducer.Reduce(candidate);
            }

            if (candidate.Length > 0)
            {
                names.Add(candidate);
            }
        }

        return names;
    }

    private static string StripBrackets(string s)
    {
        var sb = new StringBuilder(s.Length);
        var depth = 0;
        foreach (var c in s)
        {
            if (c is '[' or '{')
            {
                depth++;
            }
            else if (c is ']' or '}')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                sb.Append(c);
            }
        }

        return sb.ToString().Trim();
    }

    /// <summary>
    /// Product → ingredient for one MIMIC drug mapping row: ingredients from the RxNorm name (SAB RXNORM), else from
    /// the MIMIC drug name (SAB MIMICRX). When the MIMIC name names the product's only ingredient, the name is also an
    /// atom of the ingredient (so "Furosemide" resolves to the ingredient furosemide).
    /// </summary>
    public void LinkProduct(string product, string rxName, string mimicName, string mimicCode, bool addMimicAtom)
    {
        Count("rxnorm_map_rows_read");
        var keys = new List<DrugKey>();
        foreach (var name in IngredientNamesOf(rxName))
        {
            if (FindIngredient(name) is { } k && !keys.Contains(k))
            {
                keys.Add(k);
            }
        }

        var sab = ClinicalRelations.RxNorm;
        if (keys.Count == 0 && mimicName.Length > 0 && FindIngredient(mimicName) is { } byName)
        {
            keys.Add(byName);
            sab = "MIMICRX";
        }

        if (keys.Count == 0)
        {
            Count("rxnorm_map_dropped_no_ingredient");
            return;
        }

        Count(sab == ClinicalRelations.RxNorm ? "rxnorm_map_linked_by_rxnorm_name" : "rxnorm_map_linked_by_mimic_name");
        foreach (var k in keys)
        {
            var ingredient = Ingredient(k);
            if (!string.Equals(ingredient, product, StringComparison.Ordinal))
            {
                Relate(product, ClinicalRelations.HasIngredient, ClinicalRelations.IngredientOf, ingredient, "RO", "RO", sab);
            }
        }

        if (addMimicAtom && keys.Count == 1 && mimicName.Length > 0 && FindIngredient(mimicName) == keys[0])
        {
            _sink.AddAtom(Ingredient(keys[0]), "MIMICRX", "PT", mimicCode, mimicName, "T121");
            Count("rxnorm_map_mimic_names_on_ingredient");
        }
    }

    /// <summary>subject RELA object: rows "object REL subject (rela)" and "subject INVREL object (inverse)".</summary>
    private void Relate(string subject, string rela, string inverse, string obj, string rel, string inverseRel, string sab)
    {
        _sink.AddRelation(obj, rel, subject, rela, sab);
        _sink.AddRelation(subject, inverseRel, obj, inverse, sab);
    }

    private void Treats(string drug, string disease, bool prevent, string sab) =>
        Relate(drug, prevent ? ClinicalRelations.MayPrevent : ClinicalRelations.MayTreat, prevent ? ClinicalRelations.MayBePreventedBy : ClinicalRelations.MayBeTreatedBy, disease, "RO", "RO", sab);

    /// <summary>The concept of a disease given by a real CUI: the DO term's concept, else the CUI with the source's
    /// name as an atom (semantic type <paramref name="tui"/>).</summary>
    private string DiseaseOfCui(string cui, string name, string sab, string tui, string source)
    {
        if (_links.CuiConcepts.TryGetValue(cui, out var concept))
        {
            Count(source + "_disease_in_do");
            return concept;
        }

        // outside DO: the concept a DO label or ICD title of exactly this name has (the first name seen for this CUI
        // decides, so a CUI always lands on one concept), else the CUI itself, named by the source
        if (!_cuiConcept.TryGetValue(cui, out concept))
        {
            concept = name.Trim().Length > 0 && _links.DiseaseNames.TryGetValue(NormalizeName(name), out var byName) ? byName : cui;
            if (name.Trim().Length > 0 || !string.Equals(concept, cui, StringComparison.Ordinal))
            {
                _cuiConcept[cui] = concept;
            }
        }

        Count(source + (string.Equals(concept, cui, StringComparison.Ordinal) ? "_disease_outside_do" : "_disease_by_exact_name"));
        if (name.Trim().Length > 0 && _diseaseAtoms.Add(cui + "|" + sab))
        {
            _sink.AddAtom(concept, sab, "PT", cui, name, tui);
            if (string.Equals(concept, cui, StringComparison.Ordinal))
            {
                _links.AddDiseaseName(name, cui);
            }
        }

        return concept;
    }

    // ---------------------------------------------------------------- default sources

    /// <summary>Adds the default relations: indications, drug classes, CCS / CCSR categories.</summary>
    public async Task AddDefaultRelationsAsync(CancellationToken cancellationToken)
    {
        await AddDrugCentralIndicationsAsync(cancellationToken); // first: its names name some of LabeledIn's unnamed CUIs
        await AddLabeledInAsync(cancellationToken);
        await AddPharmacotherapyDbAsync(cancellationToken);
        await AddDrugCentralClassesAsync(cancellationToken);
        await AddCcsAsync(["ahrq-ccs", "ccs-dxref-2015.csv"], _links.Icd9Dx, "XCCSDX_", "ccs_dx", cancellationToken);
        await AddCcsAsync(["ahrq-ccs", "ccs-prref-2015.csv"], _links.Icd9Px, "XCCSPX_", "ccs_px", cancellationToken);
        await AddCcsrAsync(cancellationToken);
    }

    internal async Task AddLabeledInAsync(CancellationToken cancellationToken)
    {
        const string s = "labeledin";
        Zero(s, "rows_read", "linked", "linked_combination", "dropped_no_disease_name");
        await foreach (var r in Reader(["labeledin", "data", "indications.tsv"], '\t', ["rxnorm_id", "disease_cui", "disease_mesh_name", "rxnorm_name"]).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var ids = LabeledInIngredients(r, s);
            var cui = r["disease_cui"].Trim();
            if (ids.Length == 0 || !Valid(OpenVocabularyBuilder.IsRealCui(cui), r, "disease_cui", "a UMLS CUI (C followed by 7 digits)", cui, s))
            {
                continue;
            }

            if (!_links.CuiConcepts.ContainsKey(cui) && !_cuiConcept.ContainsKey(cui) && r["disease_mesh_name"].Trim().Length == 0)
            {
                Count(s + "_dropped_no_disease_name"); // a CUI outside the vocabulary, and no name to give it
                continue;
            }

            var disease = DiseaseOfCui(cui, r["disease_mesh_name"], ClinicalRelations.LabeledIn, "T047", s);
            foreach (var rxcui in ids)
            {
                var drug = Ingredient(new DrugKey(rxcui, null), ids.Length == 1 ? r["rxnorm_name"] : null);
                Treats(drug, disease, false, ClinicalRelations.LabeledIn);
            }

            Count(s + "_linked");
            if (ids.Length > 1)
            {
                Count(s + "_linked_combination"); // a combination product's indication, given to each of its ingredients
            }
        }

        EndSource(s, _counts[s + "_rows_read"]);
    }

    internal async Task AddPharmacotherapyDbAsync(CancellationToken cancellationToken)
    {
        const string s = "pharmacotherapydb";
        Zero(s, "rows_read", "linked", "dropped_not_indication", "dropped_no_drug", "dropped_no_disease");
        await foreach (var r in Reader(["pharmacotherapydb", "indications.tsv"], '\t', ["doid_id", "drugbank_id", "disease", "drug", "category"]).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var doid = r["doid_id"].Trim();
            var drugbank = r["drugbank_id"].Trim();
            var category = r["category"].Trim();
            if (!Valid(IsDoid(doid), r, "doid_id", "a Disease Ontology id (DOID: followed by digits)", doid, s)
                || !Valid(drugbank.StartsWith("DB", StringComparison.Ordinal) && IsDigits(drugbank.AsSpan(2)), r, "drugbank_id", "a DrugBank id (DB followed by digits)", drugbank, s))
            {
                continue;
            }

            if (category is not ("DM" or "SYM" or "NOT"))
            {
                throw Bad(r, "category", "unknown indication category", "DM, SYM or NOT", $"a value of {category.Length} characters");
            }

            if (category == "NOT")
            {
                Count(s + "_dropped_not_indication");
                continue;
            }

            string? drug = null;
            if (_dcByDrugBank.TryGetValue(drugbank, out var dc))
            {
                drug = DcIngredient(dc);
            }
            else if (FindIngredient(r["drug"]) is { } key)
            {
                drug = Ingredient(key);
                Count(s + "_drug_by_name");
            }

            if (drug is null)
            {
                Count(s + "_dropped_no_drug");
                continue;
            }

            if (!_links.DoConcepts.TryGetValue(doid, out var disease))
            {
                Count(s + "_dropped_no_disease");
                continue;
            }

            Treats(drug, disease, false, ClinicalRelations.PharmacotherapyDb);
            Count(s + "_linked");
            Count(s + "_linked_" + category.ToLowerInvariant());
        }

        EndSource(s, _counts[s + "_rows_read"]);
    }

    internal async Task AddDrugCentralIndicationsAsync(CancellationToken cancellationToken)
    {
        const string s = "drugcentral_indications";
        Zero(s, "rows_read", "linked", "may_prevent", "dropped_no_disease");
        await foreach (var r in Reader(["drugcentral-2016", "drug_indication.tsv"], '\t', ["DRUG_ID", "DRUG_NAME", "INDICATION_FDB", "UMLS_CUI", "DOID"]).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var cui = r["UMLS_CUI"].Trim();
            var doid = r["DOID"].Trim();
            var name = r["INDICATION_FDB"];
            if (Dc(r["DRUG_ID"], r["DRUG_NAME"], r, s) is not { } dc
                || !Valid(cui.Length == 0 || OpenVocabularyBuilder.IsRealCui(cui), r, "UMLS_CUI", "a UMLS CUI (C followed by 7 digits) or nothing", cui, s)
                || !Valid(doid.Length == 0 || IsDoid(doid), r, "DOID", "a Disease Ontology id (DOID: followed by digits) or nothing", doid, s))
            {
                continue;
            }

            string? disease = null;
            if (doid.Length > 0 && _links.DoConcepts.TryGetValue(doid, out var byDoid))
            {
                disease = byDoid;
                Count(s + "_disease_by_doid");
            }
            else if (cui.Length > 0)
            {
                disease = DiseaseOfCui(cui, name, ClinicalRelations.DrugCentral, "T047", s);
            }
            else if (_links.DiseaseNames.TryGetValue(NormalizeName(name), out var byName))
            {
                disease = byName;
                Count(s + "_disease_by_exact_name");
            }

            if (disease is null)
            {
                Count(s + "_dropped_no_disease");
                continue;
            }

            var prevent = IsPrevention(name);
            Treats(DcIngredient(dc), disease, prevent, ClinicalRelations.DrugCentral);
            Count(s + "_linked");
            if (prevent)
            {
                Count(s + "_may_prevent");
            }
        }

        EndSource(s, _counts[s + "_rows_read"]);
    }

    internal static bool IsPrevention(string indication)
    {
        foreach (var w in NormalizeName(indication).Split([' ', '-', ',', '(', ')', '/'], StringSplitOptions.RemoveEmptyEntries))
        {
            if (w is "prevention" or "prevent" or "preventing" or "prophylaxis" or "prophylactic")
            {
                return true;
            }
        }

        return false;
    }

    internal async Task AddDrugCentralClassesAsync(CancellationToken cancellationToken)
    {
        const string s = "drugcentral_classes";
        Zero(s, "rows_read", "linked", "dropped_chebi_role");
        await foreach (var r in Reader(["drugcentral-2016", "pharm_class.tsv"], '\t', ["DRUG_ID", "DRUG_NAME", "TYPE", "CLASS_SOURCE_ID", "CLASS", "SOURCE"]).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var type = r["TYPE"];
            var (rela, inverse, tui, prefix, sab, suffix) = type switch
            {
                "EPC" => (ClinicalRelations.HasEpc, ClinicalRelations.EpcOf, "T121", "XMEDRT_", "MEDRT", " [EPC]"),
                "MoA" => (ClinicalRelations.HasMechanismOfAction, ClinicalRelations.MechanismOfActionOf, "T044", "XMEDRT_", "MEDRT", " [MoA]"),
                "PE" => (ClinicalRelations.HasPhysiologicEffect, ClinicalRelations.PhysiologicEffectOf, "T039", "XMEDRT_", "MEDRT", " [PE]"),
                "Chemical/Ingredient" => (ClinicalRelations.HasChemicalStructure, ClinicalRelations.ChemicalStructureOf, "T104", "XMEDRT_", "MEDRT", " [Chemical/Ingredient]"),
                "PA" => (ClinicalRelations.HasPharmacologicAction, ClinicalRelations.PharmacologicActionOf, "T121", ConceptKinds.MeshActionPrefix, "MSH", string.Empty),
                "has role" => (string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty),
                _ => throw Bad(r, "TYPE", "unknown pharmacologic class type", "EPC, MoA, PE, Chemical/Ingredient, PA or has role", $"a value of {type.Length} characters"),
            };
            if (rela.Length == 0)
            {
                Count(s + "_dropped_chebi_role");
                continue;
            }

            var classId = r["CLASS_SOURCE_ID"].Trim();
            if (!Valid(classId.Length > 1 && char.IsAsciiLetterUpper(classId[0]) && IsDigits(classId.AsSpan(1)), r, "CLASS_SOURCE_ID", "a MED-RT NUI or MeSH descriptor id (N or D followed by digits)", classId, s)
                || Dc(r["DRUG_ID"], r["DRUG_NAME"], r, s) is not { } dc)
            {
                continue;
            }

            var drug = DcIngredient(dc);
            var cls = prefix + classId;
            _sink.AddAtom(cls, sab, "PT", classId, r["CLASS"].Trim() + suffix, tui);
            Relate(drug, rela, inverse, cls, "RO", "RO", ClinicalRelations.DrugCentral);
            Count(s + "_linked");
            Count(s + "_linked_" + type.Replace('/', '_').ToLowerInvariant());
        }

        EndSource(s, _counts[s + "_rows_read"]);
    }

    private async Task AddCcsAsync(string[] file, IReadOnlyDictionary<string, string> codes, string prefix, string s, CancellationToken cancellationToken)
    {
        Zero(s, "rows_read", "linked", "dropped_no_category", "dropped_no_code");
        const string codeColumn = "ICD-9-CM CODE", categoryColumn = "CCS CATEGORY", nameColumn = "CCS CATEGORY DESCRIPTION";
        await foreach (var r in Reader(file, ',', [codeColumn, categoryColumn, nameColumn], skipLines: 1, singleQuotes: true).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var code = r[codeColumn].Trim(' ', '\'');
            var category = r[categoryColumn].Trim(' ', '\'');
            if (!IsDigits(category))
            {
                throw Bad(r, categoryColumn, "not a CCS category number", "a number", $"a value of {category.Length} characters");
            }

            if (code.Length == 0 || category == "0")
            {
                Count(s + "_dropped_no_category"); // "No DX" / "No PROC": invalid codes
                continue;
            }

            if (!codes.TryGetValue(code, out var concept))
            {
                Count(s + "_dropped_no_code");
                continue;
            }

            var cat = prefix + category;
            _sink.AddAtom(cat, ClinicalRelations.Ccs, "PT", category, r[nameColumn].Trim(' ', '\'') + " [CCS]", "T185");
            Classify(concept, cat, ClinicalRelations.Ccs);
            Count(s + "_linked");
        }
    }

    private async Task AddCcsrAsync(CancellationToken cancellationToken)
    {
        const string s = "ccsr_dx";
        Zero(s, "rows_read", "linked", "dropped_no_code");
        const string codeColumn = "ICD-10-CM Code", categoryColumn = "CCSR Category", nameColumn = "CCSR Category Description", defaultColumn = "Inpatient Default CCSR (Y/N/X)";
        await foreach (var r in Reader(["ahrq-ccs", "ccsr-dx-v2023-1.csv.gz"], ',', [codeColumn, categoryColumn, nameColumn, defaultColumn]).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var code = r[codeColumn].Trim();
            var category = r[categoryColumn].Trim();
            if (category.Length != 6 || !char.IsAsciiLetterUpper(category[0]) || !IsDigits(category.AsSpan(3)))
            {
                throw Bad(r, categoryColumn, "not a CCSR category", "three letters and three digits (e.g. DIG001)", $"a value of {category.Length} characters");
            }

            if (!codes(code, out var concept))
            {
                Count(s + "_dropped_no_code");
                continue;
            }

            var cat = "XCCSR_" + category;
            _sink.AddAtom(cat, ClinicalRelations.Ccsr, "PT", category, r[nameColumn].Trim() + " [CCSR]", "T185");
            Classify(concept, cat, ClinicalRelations.Ccsr);
            Count(s + "_linked");
            if (r[defaultColumn] == "Y")
            {
                Count(s + "_linked_inpatient_default");
            }
        }

        bool codes(string code, out string concept) => _links.Icd10Cm.TryGetValue(code, out concept!);
    }

    /// <summary>code classified_as category: rows "category RN code (classified_as)" and "code RB category (classifies)".</summary>
    private void Classify(string code, string category, string sab) =>
        Relate(code, ClinicalRelations.ClassifiedAs, ClinicalRelations.Classifies, category, "RN", "RB", sab);

    // ---------------------------------------------------------------- opt-in sources

    /// <summary>Adds the relations of one opt-in source.</summary>
    public Task AddOptInAsync(string source, CancellationToken cancellationToken) => source switch
    {
        RelationSources.Loinc2HpoName => AddLoinc2HpoAsync(cancellationToken),
        RelationSources.MediName => AddMediAsync(cancellationToken),
        RelationSources.Sider4Name => AddSiderAsync(cancellationToken),
        _ => throw new ArgumentOutOfRangeException(nameof(source), source, "not an opt-in relation source"),
    };

    internal async Task AddLoinc2HpoAsync(CancellationToken cancellationToken)
    {
        const string s = "loinc2hpo";
        Zero(s, "rows_read", "linked", "dropped_normal_outcome", "dropped_no_lab", "dropped_no_hpo_label", "phenotypes_mapped_by_exact_name");

        // HPO labels (and layperson synonyms)
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        var synonyms = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        await foreach (var r in Reader(["hpo", "upheno-relations.csv"], ',', ["hp_id", "hp_label"]).ReadAsync(cancellationToken))
        {
            if (HpoId(r["hp_id"]) is { } id)
            {
                labels.TryAdd(id, r["hp_label"].Trim());
            }
        }

        await foreach (var r in Reader(["hpo", "chemical-phenotypes.tsv"], '\t', ["?concentration_phenotype", "?label"]).ReadAsync(cancellationToken))
        {
            if (HpoId(r["?concentration_phenotype"]) is { } id)
            {
                labels.TryAdd(id, r["?label"].Trim());
            }
        }

        await foreach (var r in Reader(["hpo", "layperson-synonyms.tsv"], '\t', ["?term", "?term_label", "?layperson"]).ReadAsync(cancellationToken))
        {
            if (HpoId(r["?term"]) is { } id)
            {
                labels.TryAdd(id, r["?term_label"].Trim());
                (synonyms.TryGetValue(id, out var set) ? set : synonyms[id] = new SortedSet<string>(StringComparer.Ordinal)).Add(r["?layperson"].Trim());
            }
        }

        var phenotypes = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var r in Reader(["loinc2hpo", "loinc2hpo-annotations.tsv"], '\t', ["loincId", "outcome", "hpoTermId"]).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var loinc = r["loincId"].Trim();
            var outcome = r["outcome"].Trim();
            var hpo = r["hpoTermId"].Trim();
            if (!Valid(hpo.Length == 10 && hpo.StartsWith("HP:", StringComparison.Ordinal) && IsDigits(hpo.AsSpan(3)), r, "hpoTermId", "an HPO term id (HP: followed by 7 digits)", hpo, s)
                || !Valid(loinc.Length > 2 && char.IsAsciiDigit(loinc[0]) && loinc[^2] == '-', r, "loincId", "a LOINC code (digits, a hyphen and a check digit)", loinc, s))
            {
                continue;
            }

            if (outcome is "N" or "NEG")
            {
                Count(s + "_dropped_normal_outcome");
                continue;
            }

            if (!_links.Loinc.TryGetValue(loinc, out var lab))
            {
                Count(s + "_dropped_no_lab");
                continue;
            }

            if (!labels.TryGetValue(hpo, out var label) || label.Length == 0)
            {
                Count(s + "_dropped_no_hpo_label");
                continue;
            }

            var phenotype = "XHPO_" + hpo[3..];
            if (phenotypes.Add(phenotype))
            {
                _sink.AddAtom(phenotype, "HPO", "PT", hpo, label, "T033");
                foreach (var syn in synonyms.GetValueOrDefault(hpo) ?? [])
                {
                    _sink.AddAtom(phenotype, "HPO", "SY", hpo, syn, "T033");
                }

                if (_links.DiseaseNames.TryGetValue(NormalizeName(label), out var disease))
                {
                    // phenotype mapped_to disease (exact name): rows "disease RO phenotype (mapped_to)" and the inverse
                    Relate(phenotype, ClinicalRelations.MappedTo, ClinicalRelations.MappedFrom, disease, "RO", "RO", ClinicalRelations.Loinc2Hpo);
                    Count(s + "_phenotypes_mapped_by_exact_name");
                }
            }

            var rela = outcome switch
            {
                "H" => ClinicalRelations.HighResultIndicates,
                "L" => ClinicalRelations.LowResultIndicates,
                _ => ClinicalRelations.AbnormalResultIndicates, // POS and nominal (coded) results
            };
            Relate(lab, rela, ClinicalRelations.InverseOfLabResult(rela), phenotype, "RO", "RO", ClinicalRelations.Loinc2Hpo);
            Count(s + "_linked");
        }

        Count(s + "_phenotypes", phenotypes.Count);
        EndSource(s, _counts[s + "_rows_read"]);
    }

    private static string? HpoId(string iri)
    {
        var i = iri.IndexOf("HP_", StringComparison.Ordinal);
        if (i < 0)
        {
            return null;
        }

        var digits = iri[(i + 3)..].TrimEnd('>', '"');
        return digits.Length == 7 && IsDigits(digits) ? "HP:" + digits : null;
    }

    internal async Task AddMediAsync(CancellationToken cancellationToken)
    {
        const string s = "medi";
        Zero(s, "rows_read", "linked", "dropped_not_high_precision", "dropped_no_disease");
        await foreach (var r in Reader(["medi", "MEDI_01212013_UMLS.csv.gz"], ',', ["RXCUI_IN", "DRUG_DESC", "UMLS_CUI", "ICD9", "INDICATION_DESCRIPTION", "HIGHPRECISIONSUBSET"]).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            if (r["HIGHPRECISIONSUBSET"].Trim() != "1")
            {
                Count(s + "_dropped_not_high_precision");
                continue;
            }

            var rxcui = r["RXCUI_IN"].Trim();
            var cui = r["UMLS_CUI"].Trim();
            if (!Valid(IsDigits(rxcui), r, "RXCUI_IN", "an RxNorm ingredient id (RxCUI)", rxcui, s)
                || !Valid(cui.Length == 0 || OpenVocabularyBuilder.IsRealCui(cui), r, "UMLS_CUI", "a UMLS CUI (C followed by 7 digits) or nothing", cui, s))
            {
                continue;
            }

            var icd9 = r["ICD9"].Trim().Replace(".", string.Empty, StringComparison.Ordinal);
            string? disease = null;
            if (_links.Icd9Dx.TryGetValue(icd9, out var byCode))
            {
                disease = byCode;
                Count(s + "_disease_by_icd9");
            }
            else if (cui.Length > 0)
            {
                disease = DiseaseOfCui(cui, r["INDICATION_DESCRIPTION"], ClinicalRelations.Medi, "T047", s);
            }

            if (disease is null)
            {
                Count(s + "_dropped_no_disease");
                continue;
            }

            Treats(Ingredient(new DrugKey(rxcui, null), r["DRUG_DESC"]), disease, false, ClinicalRelations.Medi);
            Count(s + "_linked");
        }

        EndSource(s, _counts[s + "_rows_read"]);
    }

    internal async Task AddSiderAsync(CancellationToken cancellationToken)
    {
        const string s = "sider4";
        Zero(s, "rows_read", "linked", "dropped_lowest_level_term", "dropped_no_drug");
        var stitchToDrugBank = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var r in Reader(["sider4", "data", "indications.tsv"], '\t', ["drugbank_id", "stitch_id_flat"]).ReadAsync(cancellationToken))
        {
            stitchToDrugBank.TryAdd(r["stitch_id_flat"].Trim(), r["drugbank_id"].Trim());
        }

        var drugs = new Dictionary<string, string?>(StringComparer.Ordinal);
        string? DrugOf(string stitch)
        {
            if (drugs.TryGetValue(stitch, out var d))
            {
                return d;
            }

            DcDrug? dc = null;
            if (stitch.Length > 4 && long.TryParse(stitch.AsSpan(4), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                _dcByPubChem.TryGetValue(n.ToString(CultureInfo.InvariantCulture), out dc);
            }

            if (dc is null && stitchToDrugBank.TryGetValue(stitch, out var db))
            {
                _dcByDrugBank.TryGetValue(db, out dc);
            }

            return drugs[stitch] = dc is null ? null : DcIngredient(dc);
        }

        string[] columns = ["stitch_flat", "stitch_stereo", "umls_cui_from_label", "meddra_type", "umls_cui_from_meddra", "side_effect_name"];
        await foreach (var r in Reader(["sider4", "download", "meddra_all_se.tsv.gz"], '\t', columns: columns).ReadAsync(cancellationToken))
        {
            Count(s + "_rows_read");
            var stitch = r["stitch_flat"];
            if (!Valid(stitch.StartsWith("CID", StringComparison.Ordinal) && IsDigits(stitch.AsSpan(3)), r, "stitch_flat", "a STITCH compound id (CID followed by digits)", stitch, s))
            {
                continue;
            }

            if (r["meddra_type"] != "PT")
            {
                Count(s + "_dropped_lowest_level_term"); // LLT rows repeat their preferred term
                continue;
            }

            var cui = r["umls_cui_from_meddra"].Trim();
            if (!Valid(OpenVocabularyBuilder.IsRealCui(cui), r, "umls_cui_from_meddra", "a UMLS CUI (C followed by 7 digits)", cui, s))
            {
                continue;
            }

            if (DrugOf(stitch) is not { } drug)
            {
                Count(s + "_dropped_no_drug");
                continue;
            }

            var effect = DiseaseOfCui(cui, r["side_effect_name"], ClinicalRelations.Sider, "T184", s);
            Relate(drug, ClinicalRelations.MayCause, ClinicalRelations.CausedBy, effect, "RO", "RO", ClinicalRelations.Sider);
            Count(s + "_linked");
        }

        EndSource(s, _counts[s + "_rows_read"]);
    }

    // ---------------------------------------------------------------- validation

    /// <summary>LabeledIn ingredient ids: one RxCUI, or several separated by ';' for a combination product.</summary>
    private string[] LabeledInIngredients(CsvRecord r, string source)
    {
        var value = r["rxnorm_id"];
        var ids = value.Split(';', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        return Valid(ids.Length > 0 && ids.All(id => IsDigits(id)), r, "rxnorm_id", "an RxNorm ingredient id (RxCUI), or several separated by ';'", value, source) ? ids : [];
    }

    private static InputDataException Bad(CsvRecord r, string field, string problem, string expected, string found) =>
        new("EHR-UMLS-013", r.File, r.Line, field, problem, expected: expected, found: found,
            fix: "Use the unchanged file from the source named in the data folder's README");

    /// <summary>
    /// Checks one id of a row. A malformed id drops the row (counted as <c>&lt;source&gt;_dropped_malformed_id</c>):
    /// the real files hold a few (LabeledIn has a 6-digit CUI). When more than 1% of a source's rows (and more than
    /// 10) are malformed, <see cref="EndSource"/> stops the build: the file is not the one the source names.
    /// </summary>
    /// <summary>Per source with dropped malformed ids (below the threshold that stops the build): how many, and where
    /// the first is, for the build log.</summary>
    public IReadOnlyList<(string Source, long Rows, string File, long Line, string Field, string Expected)> MalformedRows =>
        [.. _firstMalformed.OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .Select(kv => (kv.Key, _counts.TryGetValue(kv.Key + "_dropped_malformed_id", out var n) ? n : 0, kv.Value.File, kv.Value.Line, kv.Value.Field, kv.Value.Expected))];

    private bool Valid(bool ok, CsvRecord r, string field, string expected, string value, string source)
    {
        if (ok)
        {
            return true;
        }

        Count(source + "_dropped_malformed_id");
        if (!_firstMalformed.ContainsKey(source))
        {
            _firstMalformed[source] = (r.File, r.Line, field, expected, value.Length);
        }

        return false;
    }

    private void EndSource(string source, long rows)
    {
        var bad = _counts.TryGetValue(source + "_dropped_malformed_id", out var n) ? n : 0;
        if (bad > Math.Max(10, rows / 100) && _firstMalformed.TryGetValue(source, out var first))
        {
            throw new InputDataException("EHR-UMLS-013", first.File, first.Line, first.Field,
                $"{bad} of {rows} rows have a malformed id (the first is on this line)", expected: first.Expected, found: $"a value of {first.Length} characters",
                fix: "Use the unchanged file from the source named in the data folder's README");
        }
    }

    private static bool IsDoid(string value) => value.StartsWith("DOID:", StringComparison.Ordinal) && IsDigits(value.AsSpan(5));

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        if (s.IsEmpty)
        {
            return false;
        }

        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private sealed record RxEntry(string Label, string[] Synonyms, string? Cui, string[] Tuis);

    private sealed class DcDrug(string id, string name)
    {
        public string Id { get; } = id;

        public string Name { get; } = name;

        public string? Rxcui { get; set; }

        public string? Cui { get; set; }
    }
}

/// <summary>An ingredient: an RxNorm ingredient (RxCUI) or a DrugCentral drug without an RxCUI.</summary>
internal readonly record struct DrugKey(string? Rxcui, string? DcId);
