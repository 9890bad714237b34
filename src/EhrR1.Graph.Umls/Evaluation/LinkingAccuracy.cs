using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Umls.Rrf;
using EhrR1.Graph.Umls.Sample;

namespace EhrR1.Graph.Umls.Evaluation;

/// <summary>Accuracy of term → concept resolution for one kind of item.</summary>
internal sealed record LinkingScore(string Kind, int Items, int Resolved, int Correct)
{
    public double Accuracy => Items == 0 ? 0 : Correct / (double)Items;
}

/// <summary>
/// Links the display strings the MIMIC-IV demo actually uses (diagnosis titles of <c>diagnoses_icd</c>, lab labels
/// of <c>labevents</c>, drug names of <c>prescriptions</c>) through a resolver and counts how many land on the
/// concept the vocabulary assigns to the item's code (ICD code, lab itemid, NDC; for a drug, also an ingredient of
/// that NDC's product, MRREL <c>has_ingredient</c>). Items without a known concept
/// (e.g. an NDC with no RxNorm mapping) are left out.
/// </summary>
internal static class LinkingAccuracy
{
    /// <param name="resolver">The resolver under test.</param>
    /// <param name="rrfDirectory">The vocabulary (RRF) the resolver's index was built from.</param>
    /// <param name="mimicDirectory">The MIMIC-IV release (reads <c>hosp/</c>).</param>
    /// <param name="cancellationToken">Cancels the run.</param>
    /// <param name="onMiss">Called for every item not resolved to an expected concept: kind, term, expected CUIs, result.</param>
    public static async Task<IReadOnlyList<LinkingScore>> EvaluateAsync(IConceptResolver resolver, string rrfDirectory, string mimicDirectory, CancellationToken cancellationToken,
        Action<string, string, IReadOnlySet<string>, ResolvedConcept?>? onMiss = null)
    {
        // (SAB, CODE) -> CUIs, from the vocabulary itself.
        var byCode = new Dictionary<(string, string), HashSet<string>>();
        var release = await RrfRelease.OpenAsync(rrfDirectory, cancellationToken);
        await foreach (var a in release.ReadConceptsAsync(null, cancellationToken))
        {
            var key = (a.Sab, a.Code);
            (byCode.TryGetValue(key, out var s) ? s : byCode[key] = new HashSet<string>(StringComparer.Ordinal)).Add(a.Cui);
        }

        // product -> ingredients (MRREL "ingredient RO product (has_ingredient)"): a drug name that lands on an
        // ingredient of the product its NDC names is correct (a prescription called "Furosemide" denotes furosemide).
        var ingredients = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        await foreach (var rel in release.ReadRelationsAsync(cancellationToken))
        {
            if (string.Equals(rel.Rela, ClinicalRelations.HasIngredient, StringComparison.Ordinal))
            {
                (ingredients.TryGetValue(rel.Cui2, out var l) ? l : ingredients[rel.Cui2] = []).Add(rel.Cui1);
            }
        }

        HashSet<string>? WithIngredients(HashSet<string>? products)
        {
            if (products is null)
            {
                return null;
            }

            var all = new HashSet<string>(products, StringComparer.Ordinal);
            foreach (var p in products)
            {
                all.UnionWith(ingredients.GetValueOrDefault(p) ?? []);
            }

            return all;
        }

        string Hosp(string name) => Path.Combine(mimicDirectory, "hosp", name);

        // Diagnoses used in the demo.
        var titles = new Dictionary<(string Code, string Version), string>();
        await foreach (var r in new CsvRecordReader(Hosp("d_icd_diagnoses.csv.gz")).ReadAsync(cancellationToken))
        {
            titles[(r["icd_code"].Trim(), r["icd_version"])] = r["long_title"];
        }

        var usedDx = new HashSet<(string, string)>();
        await foreach (var r in new CsvRecordReader(Hosp("diagnoses_icd.csv.gz")).ReadAsync(cancellationToken))
        {
            usedDx.Add((r["icd_code"].Trim(), r["icd_version"]));
        }

        var dxItems = usedDx.Where(titles.ContainsKey).Select(k =>
        {
            var (code, version) = k;
            var key = version == "10"
                ? ("ICD10CM", code.Length > 3 ? code[..3] + "." + code[3..] : code)
                : ("ICD9CM", Icd9Dotted(code));
            return (Term: titles[k], Expected: byCode.GetValueOrDefault(key));
        });

        // Lab labels used in the demo.
        var labLabels = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(Hosp("d_labitems.csv.gz")).ReadAsync(cancellationToken))
        {
            labLabels[r["itemid"].Trim()] = r["label"];
        }

        var usedLabs = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(Hosp("labevents.csv.gz")).ReadAsync(cancellationToken))
        {
            usedLabs.Add(r["itemid"].Trim());
        }

        var labItems = usedLabs.Where(labLabels.ContainsKey).Select(id => (Term: labLabels[id], Expected: byCode.GetValueOrDefault(("MIMICLAB", id))));

        // Drug names used in the demo, with the NDC they were dispensed under.
        var usedDrugs = new HashSet<(string Drug, string Ndc)>();
        await foreach (var r in new CsvRecordReader(Hosp("prescriptions.csv.gz")).ReadAsync(cancellationToken))
        {
            var ndc = r["ndc"].Trim();
            if (ndc.Length > 0 && r["drug"].Length > 0)
            {
                usedDrugs.Add((r["drug"], ndc));
            }
        }

        var drugItems = usedDrugs.Select(d => (Term: d.Drug, Expected: WithIngredients(byCode.GetValueOrDefault(("MIMICRX", d.Ndc)))));

        return
        [
            Score("icd_diagnosis_titles", dxItems, resolver, onMiss),
            Score("lab_labels", labItems, resolver, onMiss),
            Score("drug_names", drugItems, resolver, onMiss),
        ];
    }

    private static LinkingScore Score(string kind, IEnumerable<(string Term, HashSet<string>? Expected)> items, IConceptResolver resolver,
        Action<string, string, IReadOnlySet<string>, ResolvedConcept?>? onMiss)
    {
        int n = 0, resolved = 0, correct = 0;
        foreach (var (term, expected) in items.OrderBy(i => i.Term, StringComparer.Ordinal))
        {
            if (expected is null)
            {
                continue;
            }

            n++;
            var r = resolver.Resolve(term);
            if (r is not null)
            {
                resolved++;
            }

            if (r is not null && expected.Contains(r.Cui))
            {
                correct++;
            }
            else
            {
                onMiss?.Invoke(kind, term, expected, r);
            }
        }

        return new LinkingScore(kind, n, resolved, correct);
    }

    private static string Icd9Dotted(string code)
    {
        var head = code.StartsWith('E') ? 4 : 3;
        return code.Length > head ? code[..head] + "." + code[head..] : code;
    }
}
