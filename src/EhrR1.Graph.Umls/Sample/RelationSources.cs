using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Umls.Sample;

/// <summary>An open relation source: its name on the command line, its SAB, its terms and whether it is on by default.</summary>
internal sealed record RelationSource(string Name, string Sab, bool Default, string Terms);

/// <summary>
/// The open relation sources of <c>umls build-sample</c> (see <c>umls/README.md</c>). Default sources are free to use
/// with attribution and always on; opt-in sources carry non-commercial or research-only terms and stay off unless
/// named in <c>--relations</c>, and then the log and the manifest state their terms.
/// </summary>
internal static class RelationSources
{
    public const string Loinc2HpoName = "loinc2hpo";
    public const string MediName = "medi";
    public const string Sider4Name = "sider4";

    public static IReadOnlyList<RelationSource> All { get; } =
    [
        new("labeledin", ClinicalRelations.LabeledIn, true, "LabeledIn: US Government work, public domain (tidied table CC0); cite Khare et al. 2014"),
        new("pharmacotherapydb", ClinicalRelations.PharmacotherapyDb, true, "PharmacotherapyDB 1.0: CC0; cite Himmelstein et al. 2017"),
        new("drugcentral", ClinicalRelations.DrugCentral, true, "DrugCentral 2016: CC BY 4.0, attribute Ursu et al. 2017"),
        new("rxnorm", ClinicalRelations.RxNorm, true, "RxNorm names and CUIs (NLM, BioPortal export): free to use, cite RxNorm"),
        new("ccs", ClinicalRelations.Ccs, true, "AHRQ HCUP CCS: US federal work, free"),
        new("ccsr", ClinicalRelations.Ccsr, true, "AHRQ HCUP CCSR v2023.1: US federal work, free"),
        new(Loinc2HpoName, ClinicalRelations.Loinc2Hpo, false,
            "LOINC2HPO: includes LOINC content (LOINC licence, Regenstrief Institute) and its interpretations of laboratory tests are for academic research uses only; HPO labels under the HPO licence (attribution, hpo.jax.org)"),
        new(MediName, ClinicalRelations.Medi, false,
            "MEDI: CC BY-NC-SA 3.0 - non-commercial use only, share-alike (output that contains MEDI relations must be shared under the same licence); cite Wei et al. 2013"),
        new(Sider4Name, ClinicalRelations.Sider, false,
            "SIDER 4.1: CC BY-NC-SA 4.0 - non-commercial use only, share-alike (output that contains SIDER relations must be shared under the same licence); cite Kuhn et al. 2016"),
    ];

    public static IEnumerable<RelationSource> OptIn => All.Where(s => !s.Default);

    /// <summary>Parses a comma-separated list of opt-in source names (case-insensitive; empty or "none" for none).</summary>
    /// <exception cref="StageConfigurationException">A name is not an opt-in source.</exception>
    public static IReadOnlyList<string> Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value) || string.Equals(value.Trim(), "none", StringComparison.OrdinalIgnoreCase))
        {
            return [];
        }

        var valid = OptIn.Select(s => s.Name).ToList();
        var names = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var part in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var name = part.ToLowerInvariant();
            if (!valid.Contains(name, StringComparer.Ordinal))
            {
                var isDefault = All.Any(s => s.Default && string.Equals(s.Name, name, StringComparison.Ordinal));
                throw new StageConfigurationException(isDefault
                    ? $"--relations: '{part}' is a default source and always on; name only opt-in sources: {string.Join(", ", valid)}."
                    : $"--relations: unknown source '{part}'. Valid opt-in sources: {string.Join(", ", valid)} (comma-separated), or none.");
            }

            names.Add(name);
        }

        return [.. names];
    }

    public static RelationSource Named(string name) => All.Single(s => string.Equals(s.Name, name, StringComparison.Ordinal));
}
