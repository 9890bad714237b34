namespace EhrR1.Graph.Trajectories.Rendering;

/// <summary>
/// The rendering registry (upstream §4.1 and §4.2): the display name of each event table and the keys rendered
/// for it, in order. Tables that are not registered (e.g. <c>drgcodes</c>, <c>hcpcsevents</c>) render as an empty
/// string, as upstream does.
/// </summary>
public static class EventCatalog
{
    private static readonly Dictionary<string, (string Display, string[] Keys)> Registry = new(StringComparer.Ordinal)
    {
        ["patients"] = ("Patient Demographics", ["anchor_age", "gender"]),
        ["omr"] = ("Online Medical Record", ["result_name", "result_value"]),
        ["pharmacy"] = ("Pharmacy", ["medication", "proc_type", "status"]),
        ["poe"] = ("Provider Order Entry", ["order_type", "order_subtype"]),
        ["procedures_icd"] = ("Procedures on International Classification of Diseases", ["procedures", "CCS Type"]),
        ["prescriptions"] = ("Prescriptions", ["drug", "ATC Type", "prod_strength", "dose_val_rx", "dose_unit_rx"]),
        ["services"] = ("Services", ["curr_service"]),
        ["labevents"] = ("Labotary Test Events", ["item_name", "valuenum", "valueuom", "ref_range_lower", "ref_range_upper", "flag", "comments"]),
        ["microbiologyevents"] = ("Microbiology Test Events", ["test_name", "dilution_text", "interpretation", "comments", "ab_name"]),
        ["admissions"] = ("Admissions", ["admission_type", "admission_location", "admission_info"]),
        ["transfers"] = ("Transfers", ["eventtype", "careunit"]),
        ["emar"] = ("Electronic Medicine Administration Record", ["medication", "event_txt"]),
        ["diagnoses_icd"] = ("Diagnoses on International Classification of Diseases", ["diagnoses", "CCS Type"]),
        ["radiology"] = ("Radiology Examinations", ["note_type", "exam_name", "text"]),
        ["discharge"] = ("Discharge", ["note_type", "text"]),
        ["edstays"] = ("EDstays", ["gender", "race"]),
        ["triage"] = ("Triage", ["temperature", "heartrate", "resprate", "o2sat", "sbp", "dbp", "pain", "acuity", "chiefcomplaint"]),
        ["medrecon"] = ("Medrecon", ["name", "ATC Type"]),
        ["pyxis"] = ("Pyxis", ["name"]),
        ["vitalsign"] = ("Vitalsign", ["temperature", "heartrate", "resprate", "o2sat", "sbp", "dbp", "pain", "rhythm"]),
        ["diagnosis"] = ("ED Diagnoses on International Classification of Diseases", ["icd_title", "CCS Type"]),
        ["icustays"] = ("ICUstays", []),
        ["chartevents"] = ("Chart Events", ["item_name", "valuenum", "valueuom", "warning"]),
        ["ingredientevents"] = ("Ingredient Events", ["item_name", "amount", "amountuom", "rate", "rateuom"]),
        ["datetimeevents"] = ("Datetime Events", ["item_name"]),
        ["procedureevents"] = ("Procedure Events", ["item_name", "value", "valueuom", "location", "locationcategory"]),
        ["inputevents"] = ("Input Events", ["item_name", "amount", "amountuom", "rate", "rateuom"]),
        ["outputevents"] = ("Output Events", ["item_name", "value", "valueuom"]),
    };

    /// <summary>
    /// Keys that are derived at ingestion (joined from dictionaries) rather than read from a source column.
    /// A missing derived value renders as <c>None</c>; an empty source cell renders as <c>nan</c>.
    /// </summary>
    public static IReadOnlySet<string> DerivedKeys { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "item_name", "diagnoses", "procedures", "CCS Type", "ATC Type", "exam_name", "admission_info",
    };

    /// <summary>Every registered table name.</summary>
    public static IEnumerable<string> Tables => Registry.Keys;

    /// <summary>True when the table has a rendering (display name and keys).</summary>
    public static bool IsRendered(string table) => Registry.ContainsKey(table);

    /// <summary>The display name of <paramref name="table"/>, or null when it is not rendered.</summary>
    public static string? DisplayName(string table) => Registry.TryGetValue(table, out var e) ? e.Display : null;

    /// <summary>The rendered keys of <paramref name="table"/> in order (empty when not rendered).</summary>
    public static IReadOnlyList<string> RenderedKeys(string table) => Registry.TryGetValue(table, out var e) ? e.Keys : [];
}
