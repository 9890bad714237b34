using EhrR1.Graph.Trajectories.Rendering;

namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>
/// The MIMIC-IV event tables read by ingestion, in a fixed order that also breaks ties between rows with the
/// same time: source (hosp, ed, icu, note), then the source's own key (ED: stay_id; ICU: hadm_id, stay_id), then
/// the table rank below, then the row's position in its file.
/// </summary>
internal static class TableCatalog
{
    public const int Hosp = 0;
    public const int Ed = 1;
    public const int Icu = 2;
    public const int Note = 3;

    public static IReadOnlyList<string> Modules { get; } = ["hosp", "ed", "icu", "note"];

    public static IReadOnlyList<TableSpec> All { get; } = Build();

    public static TableSpec? Find(string module, string name) =>
        All.FirstOrDefault(t => string.Equals(t.Module, module, StringComparison.Ordinal) && string.Equals(t.Name, name, StringComparison.Ordinal));

    /// <summary>Columns a file must have: subject_id, its time field(s), join keys, and the source keys it renders.</summary>
    public static IEnumerable<string> RequiredColumns(TableSpec spec)
    {
        var set = new List<string> { "subject_id" };
        set.AddRange(spec.TimeFields);
        set.AddRange(spec.ExtraRequired);
        foreach (var k in EventCatalog.RenderedKeys(spec.Name))
        {
            if (!EventCatalog.DerivedKeys.Contains(k))
            {
                set.Add(k);
            }
        }

        return set.Distinct(StringComparer.Ordinal);
    }

    private static List<TableSpec> Build()
    {
        var list = new List<TableSpec>();
        void Add(string module, int source, string name, TimeRule rule, string[] time, Derivation d = Derivation.None, params string[] extra) =>
            list.Add(new TableSpec(module, name, source, list.Count(t => t.Source == source), rule, time, d, extra));

        // hosp: ties at equal time keep this (alphabetical) order.
        Add("hosp", Hosp, "patients", TimeRule.First, []);
        Add("hosp", Hosp, "admissions", TimeRule.Column, ["admittime"], Derivation.None, "hadm_id");
        Add("hosp", Hosp, "diagnoses_icd", TimeRule.Untimed, [], Derivation.IcdDiagnosis, "hadm_id", "icd_code", "icd_version");
        Add("hosp", Hosp, "drgcodes", TimeRule.Untimed, [], Derivation.None, "hadm_id");
        Add("hosp", Hosp, "emar", TimeRule.Column, ["charttime"]);
        Add("hosp", Hosp, "hcpcsevents", TimeRule.Column, ["chartdate"]);
        Add("hosp", Hosp, "labevents", TimeRule.Column, ["charttime"], Derivation.LabItem, "itemid");
        Add("hosp", Hosp, "microbiologyevents", TimeRule.Column, ["charttime", "chartdate"]);
        Add("hosp", Hosp, "omr", TimeRule.Column, ["chartdate"]);
        Add("hosp", Hosp, "pharmacy", TimeRule.Column, ["entertime"]);
        Add("hosp", Hosp, "poe", TimeRule.Column, ["ordertime"]);
        Add("hosp", Hosp, "prescriptions", TimeRule.Column, ["starttime"], Derivation.PrescriptionAtc, "ndc");
        Add("hosp", Hosp, "procedures_icd", TimeRule.Column, ["chartdate"], Derivation.IcdProcedure, "icd_code", "icd_version");
        Add("hosp", Hosp, "services", TimeRule.Column, ["transfertime"]);
        Add("hosp", Hosp, "transfers", TimeRule.Column, ["intime"]);

        // ed: upstream rank edstays, triage, medrecon, pyxis, vitalsign, diagnosis within a stay.
        Add("ed", Ed, "edstays", TimeRule.Column, ["intime"], Derivation.None, "stay_id", "outtime");
        Add("ed", Ed, "triage", TimeRule.EdStayInPlusOne, [], Derivation.None, "stay_id");
        Add("ed", Ed, "medrecon", TimeRule.Column, ["charttime"], Derivation.MedreconAtc, "stay_id", "ndc");
        Add("ed", Ed, "pyxis", TimeRule.Column, ["charttime"], Derivation.None, "stay_id");
        Add("ed", Ed, "vitalsign", TimeRule.Column, ["charttime"], Derivation.None, "stay_id");
        Add("ed", Ed, "diagnosis", TimeRule.EdStayOut, [], Derivation.EdDiagnosisCcs, "stay_id", "icd_code", "icd_version");

        // icu: icustays first within (hadm_id, stay_id).
        Add("icu", Icu, "icustays", TimeRule.Column, ["intime"], Derivation.None, "hadm_id", "stay_id");
        Add("icu", Icu, "chartevents", TimeRule.Column, ["charttime"], Derivation.IcuItem, "hadm_id", "stay_id", "itemid");
        Add("icu", Icu, "datetimeevents", TimeRule.Column, ["charttime"], Derivation.IcuItem, "hadm_id", "stay_id", "itemid");
        Add("icu", Icu, "ingredientevents", TimeRule.Column, ["starttime"], Derivation.IcuItem, "hadm_id", "stay_id", "itemid");
        Add("icu", Icu, "inputevents", TimeRule.Column, ["starttime"], Derivation.IcuItem, "hadm_id", "stay_id", "itemid");
        Add("icu", Icu, "outputevents", TimeRule.Column, ["charttime"], Derivation.IcuItem, "hadm_id", "stay_id", "itemid");
        Add("icu", Icu, "procedureevents", TimeRule.Column, ["starttime"], Derivation.IcuItem, "hadm_id", "stay_id", "itemid");

        // note
        Add("note", Note, "discharge", TimeRule.Column, ["charttime"], Derivation.None, "note_id");
        Add("note", Note, "radiology", TimeRule.Column, ["charttime"], Derivation.RadiologyExam, "note_id");
        return list;
    }
}
