namespace EhrR1.Graph.Cli.Commands;

/// <summary>
/// What the graph stages need from the task catalogue: which tasks are counted (decision-making tasks except
/// next_event and discharge, whose labels are not concept lists) and which event tables each task hides.
/// </summary>
internal static class TaskCatalogAdapter
{
    private static readonly HashSet<string> Excluded = new(StringComparer.Ordinal) { "next_event", "discharge" };

    private static readonly HashSet<string> DecisionTasks = new(StringComparer.Ordinal)
    {
        "admissions", "omr", "procedures_icd", "procedures_ccs", "diagnoses_icd", "diagnoses_ccs", "labevents",
        "microbiologyevents", "services", "transfers", "emar", "poe", "prescriptions", "prescriptions_atc", "radiology",
        "medrecon", "medrecon_atc", "pyxis", "diagnosis", "diagnosis_ccs", "chartevents", "ingredientevents",
        "datetimeevents", "procedureevents", "inputevents", "outputevents",
    };

    public static bool IsCoOccurrenceTask(string task) => DecisionTasks.Contains(task) && !Excluded.Contains(task);

    public static IReadOnlyDictionary<string, IReadOnlyList<string>> HiddenTables() =>
        new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal)
        {
            ["diagnoses_icd"] = ["discharge"],
            ["diagnoses_ccs"] = ["discharge"],
            ["diagnosis"] = ["discharge"],
            ["diagnosis_ccs"] = ["discharge"],
        };
}
