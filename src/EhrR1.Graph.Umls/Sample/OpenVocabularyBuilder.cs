using System.Diagnostics;
using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Umls.Rrf;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Umls.Sample;

/// <summary>
/// Builds the open sample vocabulary (RRF layout) from the open sources in the shared data folder. See
/// <c>umls/README.md</c> for sources, licences, identifier scheme and semantic-type assignment.
/// Concept identifiers: a real UMLS CUI where the Disease Ontology gives one; otherwise a minted id
/// <c>X&lt;SOURCE&gt;_&lt;code&gt;</c> (e.g. <c>XICD10CM_E119</c>), which can never look like a CUI (C + 7 digits).
/// </summary>
internal sealed class OpenVocabularyBuilder : IVocabularySink
{
    private static readonly string[] SourceRank =
    [
        "DOID", "ICD10CM", "ICD9CM", "ICD10PCS", "LNC", "RXNORM", "DRUGCENTRAL", "MEDRT", "MSH", "LABELEDIN", "PHARMACOTHERAPYDB", "MEDI", "SIDER4", "HPO",
        "AHRQ_CCS", "AHRQ_CCSR", "MIMICLAB", "MIMICRX", "MIMICITEM",
    ];

    private readonly List<AtomSpec> _atoms = [];
    private readonly HashSet<(string, string, string, string, string)> _atomKeys = [];
    private readonly SortedDictionary<string, SortedSet<string>> _types = new(StringComparer.Ordinal);
    private readonly List<(string Cui1, string Rel, string Cui2, string Rela, string Sab)> _relations = [];
    private readonly HashSet<(string, string, string, string, string)> _relationKeys = [];
    private readonly Dictionary<string, (string Name, string Stn)> _semanticTypes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);

    public async Task<StageReport> BuildAsync(SampleVocabularySettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken, ILogger? logger = null)
    {
        var clock = Stopwatch.StartNew();
        var data = settings.DataDirectory;
        string Need(params string[] parts)
        {
            var p = Path.Combine([data, .. parts]);
            return File.Exists(p)
                ? p
                : throw new StageConfigurationException($"{Path.Combine(parts)} was not found under the data folder {data}. Pass --data with the shared open data folder (the one that holds mimic-iv-demo-2.2/).");
        }

        var srdef = Need("umls-semantic-network", "SRDEF");
        var semGroups = Need("umls-semantic-network", "SemGroups.txt");
        var humanDo = Need("vocab-disease-ontology", "HumanDO.tsv");
        var doXrefs = Need("vocab-disease-ontology", "allXREFinDO.tsv");
        var icd10Order = Need("vocab-icd-cms", "icd10cm-order-Jan-2021.csv.gz");
        var gemDx = Need("vocab-icd-cms", "icd_cm_9_to_10_mapping.csv.gz");
        var gemPx = Need("vocab-icd-cms", "icd_pcs_9_to_10_mapping.csv.gz");
        var dDiag = Need("mimic-iv-demo-2.2", "hosp", "d_icd_diagnoses.csv.gz");
        var dProc = Need("mimic-iv-demo-2.2", "hosp", "d_icd_procedures.csv.gz");
        var dLab = Need("mimic-iv-demo-2.2", "hosp", "d_labitems.csv.gz");
        var dItems = Need("mimic-iv-demo-2.2", "icu", "d_items.csv.gz");
        var labLoinc = Need("mimic-code-concept-maps", "d_labitems_to_loinc.csv");
        var rxPresc = Need("mimic-code-concept-maps", "prescriptions_to_rxnorm.csv");
        var rxInput = Need("mimic-code-concept-maps", "inputevents_to_rxnorm.csv");
        var inputs = new List<string> { srdef, semGroups, humanDo, doXrefs, icd10Order, gemDx, gemPx, dDiag, dProc, dLab, dItems, labLoinc, rxPresc, rxInput };
        var links = new VocabularyLinks();
        var relations = new OpenRelationsBuilder(data, this, links, _counts);
        var optIn = RelationSources.Parse(string.Join(',', settings.OptInRelations));
        relations.CheckFiles(optIn);
        foreach (var name in optIn)
        {
            logger?.LogWarning("Opt-in relation source {Source} is on: its terms now apply to this vocabulary and everything built from it: {Terms}.", name, RelationSources.Named(name).Terms);
        }

        using var output = AtomicDirectory.Begin(settings.OutputDirectory, settings.Force);

        // Semantic Network: TUI -> name, tree number.
        foreach (var (_, line) in RrfText.ReadFile(srdef, Path.GetFileName(srdef), cancellationToken))
        {
            var f = line.Split('|');
            if (f.Length > 3 && string.Equals(f[0], "STY", StringComparison.Ordinal))
            {
                _semanticTypes[f[1]] = (f[2], f[3]);
            }
        }

        // Disease Ontology: DOID -> label, parent label, real CUIs, ICD xrefs.
        progress.Report(new StageProgress("disease ontology", 0, null, "terms"));
        var doLabel = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var doParentLabel = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(humanDo, '\t').ReadAsync(cancellationToken))
        {
            var id = r["id"];
            doLabel[id] = r["label"];
            if (r["subClassOf"].Length > 0)
            {
                (doParentLabel.TryGetValue(id, out var l) ? l : doParentLabel[id] = []).Add(r["subClassOf"]);
            }
        }

        var doCuis = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        var icdToDo = new Dictionary<string, SortedSet<string>>(StringComparer.Ordinal); // "ICD10CM:E119" -> DOIDs
        await foreach (var r in new CsvRecordReader(doXrefs, '\t').ReadAsync(cancellationToken))
        {
            var id = r["id"];
            var xref = r["xref"];
            var colon = xref.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var prefix = xref[..colon];
            var value = xref[(colon + 1)..].Trim();
            if (string.Equals(prefix, "UMLS_CUI", StringComparison.Ordinal) && IsRealCui(value))
            {
                (doCuis.TryGetValue(id, out var s) ? s : doCuis[id] = new SortedSet<string>(StringComparer.Ordinal)).Add(value);
            }
            else if (prefix is "ICD10CM" or "ICD9CM")
            {
                var key = prefix + ":" + value.Replace(".", string.Empty, StringComparison.Ordinal);
                (icdToDo.TryGetValue(key, out var s) ? s : icdToDo[key] = new SortedSet<string>(StringComparer.Ordinal)).Add(id);
            }
        }

        string DoConcept(string doid) =>
            doCuis.TryGetValue(doid, out var c) ? c.Min! : "XDOID_" + doid[(doid.IndexOf(':', StringComparison.Ordinal) + 1)..];

        var doByLabel = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (id, label) in doLabel)
        {
            doByLabel.TryAdd(label, id);
            var cui = DoConcept(id);
            links.DoConcepts[id] = cui;
            links.AddDiseaseName(label, cui);
            AddAtom(cui, "DOID", "PT", id, label, "T047");
            if (doCuis.TryGetValue(id, out var all))
            {
                foreach (var other in all.Skip(1))
                {
                    AddAtom(other, "DOID", "PT", id, label, "T047");
                }
            }
        }

        foreach (var (id, parents) in doParentLabel)
        {
            foreach (var parentLabel in parents)
            {
                if (doByLabel.TryGetValue(parentLabel, out var parentId))
                {
                    AddHierarchy(DoConcept(id), DoConcept(parentId), "DOID");
                }
            }
        }

        foreach (var (id, cuis) in doCuis.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            links.CuiConcepts[cuis.Min!] = cuis.Min!;
        }

        foreach (var (id, cuis) in doCuis.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            foreach (var c in cuis)
            {
                links.CuiConcepts.TryAdd(c, DoConcept(id));
            }
        }

        Count("do_terms", doLabel.Count);
        Count("do_terms_with_cui", doCuis.Count);

        // ICD concept identity: the DO term's real CUI when exactly one is known for the code.
        string IcdConcept(string system, string code, string mintedPrefix)
        {
            if (icdToDo.TryGetValue(system + ":" + code, out var doids))
            {
                var cuis = doids.Where(doCuis.ContainsKey).Select(d => doCuis[d].Min!).Distinct(StringComparer.Ordinal).ToList();
                if (cuis.Count == 1)
                {
                    return cuis[0];
                }
            }

            return mintedPrefix + code;
        }

        void LinkIcdToDo(string system, string code, string cui)
        {
            if (icdToDo.TryGetValue(system + ":" + code, out var doids))
            {
                foreach (var d in doids)
                {
                    var target = DoConcept(d);
                    if (!string.Equals(target, cui, StringComparison.Ordinal))
                    {
                        AddMapping(cui, target, "DOID");
                    }
                }
            }
        }

        // ICD-10-CM: CMS order file (all codes incl. categories), then MIMIC titles.
        progress.Report(new StageProgress("icd", 0, null, "codes"));
        var icd10 = new SortedDictionary<string, string>(StringComparer.Ordinal); // code -> cui
        await foreach (var r in new CsvRecordReader(icd10Order).ReadAsync(cancellationToken))
        {
            var code = r["code"].Trim();
            var cui = IcdConcept("ICD10CM", code, "XICD10CM_");
            icd10[code] = cui;
            links.AddDiseaseName(r["long"], cui);
            AddAtom(cui, "ICD10CM", "PT", DotIcd10Cm(code), r["long"], Icd10Type(code));
            if (!string.Equals(r["short"], r["long"], StringComparison.Ordinal))
            {
                AddAtom(cui, "ICD10CM", "AB", DotIcd10Cm(code), r["short"], Icd10Type(code));
            }
        }

        var icd9Dx = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(dDiag).ReadAsync(cancellationToken))
        {
            var code = r["icd_code"].Trim();
            if (string.Equals(r["icd_version"], "10", StringComparison.Ordinal))
            {
                if (!icd10.TryGetValue(code, out var cui))
                {
                    cui = icd10[code] = IcdConcept("ICD10CM", code, "XICD10CM_");
                }

                AddAtom(cui, "ICD10CM", "PT", DotIcd10Cm(code), r["long_title"], Icd10Type(code));
            }
            else
            {
                var cui = icd9Dx[code] = IcdConcept("ICD9CM", code, "XICD9DX_");
                links.AddDiseaseName(r["long_title"], cui);
                AddAtom(cui, "ICD9CM", "PT", DotIcd9Dx(code), r["long_title"], Icd9Type(code));
            }
        }

        foreach (var (code, cui) in icd10)
        {
            LinkIcdToDo("ICD10CM", code, cui);
        }

        foreach (var (code, cui) in icd9Dx)
        {
            LinkIcdToDo("ICD9CM", code, cui);
        }

        AddPrefixHierarchy(icd10, 3, "ICD10CM");
        AddPrefixHierarchy(icd9Dx, 3, "ICD9CM");

        var icd9Px = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var icd10Pcs = new SortedDictionary<string, string>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(dProc).ReadAsync(cancellationToken))
        {
            var code = r["icd_code"].Trim();
            if (string.Equals(r["icd_version"], "10", StringComparison.Ordinal))
            {
                var cui = icd10Pcs[code] = "XICD10PCS_" + code;
                AddAtom(cui, "ICD10PCS", "PT", code, r["long_title"], "T061");
            }
            else
            {
                var cui = icd9Px[code] = "XICD9PX_" + code;
                AddAtom(cui, "ICD9CM", "PT", code.Length > 2 ? code[..2] + "." + code[2..] : code, r["long_title"], "T061");
            }
        }

        AddPrefixHierarchy(icd9Px, 2, "ICD9CM");
        links.Icd9Dx = icd9Dx;
        links.Icd9Px = icd9Px;
        links.Icd10Cm = icd10;
        Count("icd10cm_codes", icd10.Count);
        Count("icd9cm_diagnosis_codes", icd9Dx.Count);
        Count("icd9cm_procedure_codes", icd9Px.Count);
        Count("icd10pcs_codes", icd10Pcs.Count);

        // GEMs: ICD-9 -> ICD-10 mapping links between concepts that exist here.
        var gems = 0L;
        gems += await AddGemsAsync(gemDx, icd9Dx, icd10, cancellationToken);
        gems += await AddGemsAsync(gemPx, icd9Px, icd10Pcs, cancellationToken);
        Count("gem_links", gems);

        // Labs: MIMIC lab items with their LOINC codes and names.
        progress.Report(new StageProgress("labs and drugs", 0, null, "items"));
        var loincOf = new Dictionary<string, (string Code, string Name)>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(labLoinc).ReadAsync(cancellationToken))
        {
            var code = r["omop_concept_code"].Trim();
            if (code.Length > 0 && string.Equals(r["omop_vocabulary_id"], "LOINC", StringComparison.Ordinal))
            {
                loincOf[r["itemid (omop_source_code)"].Trim()] = (code, r["omop_concept_name"]);
            }
        }

        var labs = 0L;
        await foreach (var r in new CsvRecordReader(dLab).ReadAsync(cancellationToken))
        {
            var itemid = r["itemid"].Trim();
            string cui;
            if (loincOf.TryGetValue(itemid, out var loinc))
            {
                cui = "XLNC_" + loinc.Code;
                links.Loinc[loinc.Code] = cui;
                AddAtom(cui, "LNC", "LN", loinc.Code, loinc.Name, "T059");
            }
            else
            {
                cui = "XMIMICLAB_" + itemid;
            }

            if (settings.IncludeMimicLabels || !loincOf.ContainsKey(itemid))
            {
                AddAtom(cui, "MIMICLAB", "PT", itemid, r["label"], "T059");
            }

            labs++;
        }

        Count("lab_items", labs);
        Count("lab_items_with_loinc", loincOf.Count);

        // Drugs: RxNorm names of prescriptions (NDC) and ICU input items; each product linked to its ingredients.
        progress.Report(new StageProgress("drug identity", 0, null, "drugs"));
        await relations.LoadDrugIdentityAsync(cancellationToken);
        var rx = 0L;
        await foreach (var r in new CsvRecordReader(rxPresc).ReadAsync(cancellationToken))
        {
            var rxcui = r["object_id"].Replace("rxnorm:", string.Empty, StringComparison.Ordinal).Trim();
            if (rxcui.Length == 0)
            {
                continue;
            }

            var cui = relations.ProductConcept(rxcui);
            var name = r["object_label"];
            if (!name.EndsWith("...", StringComparison.Ordinal))
            {
                AddAtom(cui, "RXNORM", "SCD", rxcui, name, "T200");
            }

            var ndc = r["subject_id"].Replace("mimic-ndc:", string.Empty, StringComparison.Ordinal);
            if (settings.IncludeMimicLabels)
            {
                AddAtom(cui, "MIMICRX", "PT", ndc, r["subject_label"], "T200");
            }

            relations.LinkProduct(cui, name, r["subject_label"], ndc, settings.IncludeMimicLabels);

            rx++;
        }

        var rxItems = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(rxInput).ReadAsync(cancellationToken))
        {
            var rxcui = r["omop_concept_code"].Trim();
            if (rxcui.Length == 0 || !string.Equals(r["omop_vocabulary_id"], "RxNorm", StringComparison.Ordinal))
            {
                continue;
            }

            var cls = r["omop_concept_class_id"];
            var (tty, tui) = cls switch
            {
                "Ingredient" => ("IN", "T121"),
                "Clinical Drug Form" => ("SCDF", "T200"),
                "Branded Drug Form" => ("SBDF", "T200"),
                "Clinical Drug" or "Quant Clinical Drug" => ("SCD", "T200"),
                _ => ("PT", "T121"),
            };
            if (tty == "IN")
            {
                relations.AddKnownIngredient(rxcui, r["omop_concept_name"]);
            }

            var cui = relations.ProductConcept(rxcui);
            AddAtom(cui, "RXNORM", tty, rxcui, r["omop_concept_name"], tui);
            if (tty != "IN")
            {
                relations.LinkProduct(cui, r["omop_concept_name"], r["label"], r["itemid (omop_source_code)"].Trim(), false);
            }

            rxItems[r["itemid (omop_source_code)"].Trim()] = cui;
            rx++;
        }

        Count("rxnorm_mappings", rx);

        // ICU items: labels (and abbreviations); drug items join their RxNorm concept.
        var items = 0L;
        await foreach (var r in new CsvRecordReader(dItems).ReadAsync(cancellationToken))
        {
            var itemid = r["itemid"].Trim();
            var tui = r["category"].Contains("Labs", StringComparison.OrdinalIgnoreCase) ? "T059" : r["linksto"] switch
            {
                "inputevents" or "ingredientevents" => "T121",
                "procedureevents" => "T061",
                _ => "T201",
            };
            var mapped = rxItems.TryGetValue(itemid, out var rxCui);
            if (mapped && !settings.IncludeMimicLabels)
            {
                continue;
            }

            var cui = mapped ? rxCui! : "XMIMICITEM_" + itemid;
            AddAtom(cui, "MIMICITEM", "PT", itemid, r["label"], tui);
            var abbreviation = r["abbreviation"];
            if (abbreviation.Length >= 3 && !string.Equals(abbreviation, r["label"], StringComparison.OrdinalIgnoreCase))
            {
                AddAtom(cui, "MIMICITEM", "AB", itemid, abbreviation, tui);
            }

            items++;
        }

        Count("icu_items", items);

        // Open clinical relations: indications, drug classes, CCS / CCSR categories; then the opt-in sources.
        progress.Report(new StageProgress("open relations", 0, null, "sources"));
        await relations.AddDefaultRelationsAsync(cancellationToken);
        foreach (var name in optIn)
        {
            progress.Report(new StageProgress("opt-in " + name, 0, null, "rows"));
            await relations.AddOptInAsync(name, cancellationToken);
        }

        foreach (var m in relations.MalformedRows)
        {
            logger?.LogWarning("{Source}: {Rows} row(s) with a malformed id dropped (below the 1% that stops the build); the first: {File} line {Line}, field {Field}: expected {Expected}.", m.Source, m.Rows, Path.GetFileName(m.File), m.Line, m.Field, m.Expected);
        }

        inputs.AddRange(relations.Inputs.Distinct(StringComparer.Ordinal));
        cancellationToken.ThrowIfCancellationRequested();

        // Write the RRF files.
        progress.Report(new StageProgress("write", 0, null, "files"));
        var dir = output.StagingPath;
        var inventory = new List<FileInventoryRow>
        {
            WriteConso(dir),
            WriteSty(dir),
            WriteRel(dir),
        };
        File.Copy(semGroups, Path.Combine(dir, "SemGroups.txt"));
        WriteFiles(dir, inventory);

        var counts = new SortedDictionary<string, long>(_counts, StringComparer.Ordinal);
        new RunManifest
        {
            Stage = "umls build-sample",
            Settings = ManifestSettings(settings, optIn),
            Inputs = inputs.Select(p => FileFingerprint.Of(p) with { Path = Path.GetRelativePath(data, p).Replace('\\', '/') }).ToList(),
            Counts = counts,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(Path.Combine(dir, "manifest.json"));
        output.Commit();
        return new StageReport("umls build-sample", clock.Elapsed.TotalSeconds, counts, [settings.OutputDirectory]);
    }

    internal static Dictionary<string, string?> ManifestSettings(SampleVocabularySettings settings, IReadOnlyList<string> optIn)
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["include_mimic_labels"] = settings.IncludeMimicLabels ? "true" : "false",
            ["relations_default"] = string.Join(',', RelationSources.All.Where(s => s.Default).Select(s => s.Name)),
            ["relations_opt_in"] = optIn.Count == 0 ? "none" : string.Join(',', optIn),
            ["terms"] = optIn.Count == 0
                ? "open default sources only: free use with attribution (see umls/README.md)"
                : "NON-COMMERCIAL / RESEARCH USE: " + string.Join(" | ", optIn.Select(n => RelationSources.Named(n).Terms)),
        };
        foreach (var source in RelationSources.All.Where(s => s.Default || optIn.Contains(s.Name, StringComparer.Ordinal)))
        {
            result["terms_" + source.Name] = source.Terms;
        }

        return result;
    }

    public static bool IsRealCui(string s) => s.Length == 8 && s[0] == 'C' && IsDigits(s.AsSpan(1));

    private static bool IsDigits(ReadOnlySpan<char> s)
    {
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return true;
    }

    private void Count(string key, long value) => _counts[key] = value;

    /// <summary>Collapses whitespace (and the RRF separator and control characters) to single spaces, trimmed.</summary>
    internal static string Clean(string s)
    {
        var sb = new StringBuilder(s.Length);
        var space = false;
        foreach (var c in s)
        {
            if (char.IsWhiteSpace(c) || c == '|' || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
        }

        return sb.ToString();
    }

    void IVocabularySink.AddAtom(string cui, string sab, string tty, string code, string str, string tui) => AddAtom(cui, sab, tty, code, str, tui);

    void IVocabularySink.AddRelation(string cui1, string rel, string cui2, string rela, string sab) => AddRelation(cui1, rel, cui2, rela, sab);

    private void AddAtom(string cui, string sab, string tty, string code, string str, string tui)
    {
        var clean = Clean(str);
        if (clean.Length == 0)
        {
            return;
        }

        if (_atomKeys.Add((cui, sab, tty, code, clean)))
        {
            _atoms.Add(new AtomSpec(cui, sab, tty, code, clean, _atoms.Count));
        }

        (_types.TryGetValue(cui, out var set) ? set : _types[cui] = new SortedSet<string>(StringComparer.Ordinal)).Add(tui);
    }

    private void AddRelation(string cui1, string rel, string cui2, string rela, string sab)
    {
        if (!string.Equals(cui1, cui2, StringComparison.Ordinal) && _relationKeys.Add((cui1, rel, cui2, rela, sab)))
        {
            _relations.Add((cui1, rel, cui2, rela, sab));
        }
    }

    /// <summary>child isa parent: MRREL rows "child PAR parent (inverse_isa)" and "parent CHD child (isa)".</summary>
    private void AddHierarchy(string child, string parent, string sab)
    {
        AddRelation(child, "PAR", parent, "inverse_isa", sab);
        AddRelation(parent, "CHD", child, "isa", sab);
    }

    /// <summary>source mapped_to target: rows "target RO source (mapped_to)" and "source RO target (mapped_from)".</summary>
    private void AddMapping(string source, string target, string sab)
    {
        AddRelation(target, "RO", source, "mapped_to", sab);
        AddRelation(source, "RO", target, "mapped_from", sab);
    }

    private void AddPrefixHierarchy(SortedDictionary<string, string> codes, int minLength, string sab)
    {
        foreach (var (code, cui) in codes)
        {
            for (var len = code.Length - 1; len >= minLength; len--)
            {
                if (codes.TryGetValue(code[..len], out var parent))
                {
                    AddHierarchy(cui, parent, sab);
                    break;
                }
            }
        }
    }

    private async Task<long> AddGemsAsync(string path, SortedDictionary<string, string> from, SortedDictionary<string, string> to, CancellationToken cancellationToken)
    {
        long n = 0;
        await foreach (var r in new CsvRecordReader(path).ReadAsync(cancellationToken))
        {
            var flags = r["flags"];
            if (flags.Length > 1 && flags[1] == '1')
            {
                continue; // "no map"
            }

            if (from.TryGetValue(r["icd_9"].Trim(), out var a) && to.TryGetValue(r["icd_10"].Trim(), out var b) && !string.Equals(a, b, StringComparison.Ordinal))
            {
                AddMapping(a, b, "CMSGEM");
                n++;
            }
        }

        return n;
    }

    /// <summary>ICD-10-CM chapters → semantic type (documented in umls/README.md).</summary>
    internal static string Icd10Type(string code) => code[0] switch
    {
        'C' => "T191",
        'D' when code.Length >= 2 && code[1] <= '4' => "T191",
        'F' => "T048",
        'R' => "T184",
        'S' or 'T' or 'V' or 'W' or 'X' or 'Y' => "T037",
        'Z' => "T033",
        _ => "T047",
    };

    /// <summary>ICD-9-CM diagnosis ranges → semantic type (documented in umls/README.md).</summary>
    internal static string Icd9Type(string code)
    {
        if (code.StartsWith('V'))
        {
            return "T033";
        }

        if (code.StartsWith('E'))
        {
            return "T037";
        }

        var n = int.Parse(code.AsSpan(0, Math.Min(3, code.Length)), NumberStyles.None, CultureInfo.InvariantCulture);
        return n switch
        {
            >= 140 and <= 239 => "T191",
            >= 290 and <= 319 => "T048",
            >= 780 and <= 799 => "T184",
            >= 800 => "T037",
            _ => "T047",
        };
    }

    private static string DotIcd10Cm(string code) => code.Length > 3 ? code[..3] + "." + code[3..] : code;

    private static string DotIcd9Dx(string code)
    {
        var head = code.StartsWith('E') ? 4 : 3;
        return code.Length > head ? code[..head] + "." + code[head..] : code;
    }

    private static int Rank(string sab)
    {
        var i = Array.IndexOf(SourceRank, sab);
        return i < 0 ? SourceRank.Length : i;
    }

    private FileInventoryRow WriteConso(string dir)
    {
        var ordered = _atoms
            .OrderBy(a => a.Cui, StringComparer.Ordinal)
            .ThenBy(a => Rank(a.Sab))
            .ThenBy(a => a.Tty is "PT" or "LN" or "SCD" or "IN" or "SCDF" or "SBDF" ? 0 : 1)
            .ThenBy(a => a.Order)
            .ToList();
        var sui = new Dictionary<string, string>(StringComparer.Ordinal);
        var lui = new Dictionary<string, string>(StringComparer.Ordinal);
        var rows = new List<string[]>(ordered.Count);
        string? cui = null;
        string? preferredLui = null;
        var luiSeen = new HashSet<string>(StringComparer.Ordinal);
        var suiSeen = new HashSet<string>(StringComparer.Ordinal);
        var aui = 0;
        foreach (var a in ordered)
        {
            if (!string.Equals(a.Cui, cui, StringComparison.Ordinal))
            {
                cui = a.Cui;
                preferredLui = null;
                luiSeen.Clear();
                suiSeen.Clear();
            }

            var s = sui.TryGetValue(a.Str, out var sv) ? sv : sui[a.Str] = "XS" + (sui.Count + 1).ToString("D7", CultureInfo.InvariantCulture);
            var lkey = a.Str.ToLowerInvariant();
            var l = lui.TryGetValue(lkey, out var lv) ? lv : lui[lkey] = "XL" + (lui.Count + 1).ToString("D7", CultureInfo.InvariantCulture);
            preferredLui ??= l;
            var ts = string.Equals(l, preferredLui, StringComparison.Ordinal) ? "P" : "S";
            var stt = luiSeen.Add(l) ? "PF" : "VO";
            var ispref = suiSeen.Add(s) ? "Y" : "N";
            aui++;
            rows.Add(new ConceptAtom(a.Cui, "ENG", ts, l, stt, s, ispref, "XA" + aui.ToString("D8", CultureInfo.InvariantCulture), string.Empty,
                a.Code, string.Empty, a.Sab, a.Tty, a.Code, a.Str, "0", "N", string.Empty).ToFields());
        }

        Count("mrconso_rows", rows.Count);
        Count("concepts", _types.Count);
        Count("concepts_with_real_cui", _types.Keys.Count(IsRealCui));
        return Write(dir, "MRCONSO.RRF", "Concept names and sources", RrfLayout.Mrconso, rows);
    }

    private FileInventoryRow WriteSty(string dir)
    {
        var rows = new List<string[]>();
        var n = 0;
        foreach (var (cui, tuis) in _types)
        {
            foreach (var tui in tuis)
            {
                var (name, stn) = _semanticTypes.TryGetValue(tui, out var t) ? t : (string.Empty, string.Empty);
                rows.Add(new SemanticTypeRow(cui, tui, stn, name, "XT" + (++n).ToString("D8", CultureInfo.InvariantCulture), string.Empty).ToFields());
            }
        }

        Count("mrsty_rows", rows.Count);
        return Write(dir, "MRSTY.RRF", "Semantic types", RrfLayout.Mrsty, rows);
    }

    private FileInventoryRow WriteRel(string dir)
    {
        var rows = new List<string[]>();
        var n = 0;
        foreach (var r in _relations.OrderBy(r => r.Cui1, StringComparer.Ordinal).ThenBy(r => r.Cui2, StringComparer.Ordinal)
                     .ThenBy(r => r.Rel, StringComparer.Ordinal).ThenBy(r => r.Rela, StringComparer.Ordinal).ThenBy(r => r.Sab, StringComparer.Ordinal))
        {
            rows.Add(new RelationRow(r.Cui1, string.Empty, "CUI", r.Rel, r.Cui2, string.Empty, "CUI", r.Rela,
                "XR" + (++n).ToString("D8", CultureInfo.InvariantCulture), string.Empty, r.Sab, r.Sab, string.Empty, string.Empty, "N", string.Empty).ToFields());
        }

        Count("mrrel_rows", rows.Count);
        foreach (var g in _relations.GroupBy(r => r.Rela, StringComparer.Ordinal))
        {
            Count("mrrel_" + g.Key, g.LongCount());
        }

        foreach (var g in _relations.GroupBy(r => r.Sab, StringComparer.Ordinal))
        {
            Count("mrrel_sab_" + g.Key, g.LongCount());
        }

        return Write(dir, "MRREL.RRF", "Related concepts", RrfLayout.Mrrel, rows);
    }

    private static void WriteFiles(string dir, List<FileInventoryRow> inventory)
    {
        var self = new FileInventoryRow("MRFILES.RRF", "Relational files", RrfLayout.Mrfiles, RrfLayout.Mrfiles.Count, inventory.Count + 1, 0);
        var all = inventory.Append(self).OrderBy(r => r.File, StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        foreach (var r in all)
        {
            text.Append(string.Join('|', r.ToFields())).Append("|\n");
        }

        File.WriteAllText(Path.Combine(dir, "MRFILES.RRF"), text.ToString(), new UTF8Encoding(false));
    }

    private static FileInventoryRow Write(string dir, string name, string description, IReadOnlyList<string> columns, List<string[]> rows)
    {
        var path = Path.Combine(dir, name);
        using (var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16))
        {
            w.NewLine = "\n";
            foreach (var r in rows)
            {
                foreach (var f in r)
                {
                    w.Write(f);
                    w.Write('|');
                }

                w.Write('\n');
            }
        }

        return new FileInventoryRow(name, description, columns, columns.Count, rows.Count, new FileInfo(path).Length);
    }

    private sealed record AtomSpec(string Cui, string Sab, string Tty, string Code, string Str, int Order);
}
