using System.Collections.Frozen;
using System.Collections.Immutable;

namespace EhrR1.Graph.Tasks.Definitions;

/// <summary>
/// The 28 decision-making and 18 risk-prediction tasks of EHR-Bench (upstream §3). Each carries two instructions: ours
/// (default; the risk questions reworded) and upstream's, verbatim as upstream's <c>mimiciv.py</c> defines them (the
/// decision tasks' are the same). The upstream strings are hard-coded: they are task definitions, and a test checks
/// them against the upstream table in the shared data folder.
/// </summary>
public static class TaskCatalog
{
    public const string NextEvent = "next_event";
    public const string Discharge = "discharge";

    private const string DecisionPrefix = "Given the sequence of events that have occurred in a hospital, please give the next ";
    private const string DecisionSuffix = " suggestion for the patients.";
    private const string RiskPrefix = "Given the sequence of events that have occurred in a hospital, please predict whether ";

    private static readonly ImmutableArray<string> NoBid = [];
    private static readonly ImmutableArray<string> BidDischarge = ["discharge"];

    /// <summary>Every task, decision-making first, in the upstream order.</summary>
    public static ImmutableArray<TaskDefinition> All { get; } =
    [
        Decision("admissions", "admissions", "admission_type", "em", "Admissions"),
        Decision("omr", "omr", "result_name", "em", "Online Medical Record"),
        Decision("procedures_icd", "procedures_icd", "procedures", "recall", "Procedures International Classification of Diseases Item"),
        Decision("procedures_ccs", "procedures_icd", "CCS Type", "recall", "Procedures Clinical Classifications Software Item"),
        Decision("diagnoses_icd", "diagnoses_icd", "diagnoses", "recall", "Diagnoses International Classification of Diseases Item", BidDischarge),
        Decision("diagnoses_ccs", "diagnoses_icd", "CCS Type", "recall", "Diagnoses Clinical Classifications Software Item", BidDischarge),
        Decision("labevents", "labevents", "item_name", "em", "Labotary Test Events"),
        Decision("microbiologyevents", "microbiologyevents", "test_name", "em", "Microbiology Test Events"),
        Decision("services", "services", "curr_service", "em", "Services"),
        // Upstream's table says eventtype; both extract careunit, else eventtype (LabelExtractor).
        Decision("transfers", "transfers", "careunit", "em", "Transfers") with { UpstreamTargetKey = "eventtype" },
        Decision("emar", "emar", "medication", "em", "Electronic Medicine Administration Record"),
        Decision("poe", "poe", "order_type", "em", "Provider Order Entry"),
        Decision("prescriptions", "prescriptions", "drug", "recall", "Prescriptions"),
        Decision("prescriptions_atc", "prescriptions", "ATC Type", "recall", "Anatomical Therapeutic Chemical Classification Prescriptions"),
        Decision("radiology", "radiology", "exam_name", "em", "Radiology Examinations"),
        Decision(Discharge, "discharge", "text", "rouge", "Discharge Report"),
        Decision("medrecon", "medrecon", "name", "recall", "ED Medrecon"),
        Decision("medrecon_atc", "medrecon", "ATC Type", "recall", "ED Medrecon on Anatomical Therapeutic Chemical (ATC) Classification"),
        Decision("pyxis", "pyxis", "name", "em", "ED Pyxis"),
        Decision("diagnosis", "diagnosis", "icd_title", "recall", "ED Diagnoses on International Classification of Diseases", BidDischarge),
        Decision("diagnosis_ccs", "diagnosis", "CCS Type", "recall", "ED Diagnoses on Clinical Classifications Software Item", BidDischarge),
        Decision("chartevents", "chartevents", "item_name", "em", "Chart Events"),
        Decision("ingredientevents", "ingredientevents", "item_name", "em", "Ingredient Events"),
        Decision("datetimeevents", "datetimeevents", "item_name", "em", "Datetime Events"),
        Decision("procedureevents", "procedureevents", "item_name", "em", "Procedure Events"),
        Decision("inputevents", "inputevents", "item_name", "em", "Input Events"),
        Decision("outputevents", "outputevents", "item_name", "em", "Output Events"),
        Decision(NextEvent, "*", "file_name", "acc", "event"),

        Risk("ED_Hospitalization", "edstays", "the patient will be admitted to the hospital after this emergency department visit.",
            "the patient will be hospitalized after the emergency room visit."),
        Risk("ED_Inpatient_Mortality", "edstays", "the patient will die during the hospital admission that follows this emergency department visit.",
            "the patient will die during hospitalization."),
        Risk("ED_ICU_Tranfer_12hour", "edstays", "the patient will be transferred to an intensive care unit within 12 hours of leaving the emergency department.",
            "the patient will be transferred to the ICU within 12 hours after the emergency room."),
        Risk("ED_Reattendance_3day", "edstays", "the patient will come back to the emergency department within 3 days of leaving it.",
            "the patient will return to the emergency department within 72 hours after the emergency visit."),
        Risk("ED_Critical_Outcomes", "edstays", "the patient will have a critical outcome after this emergency department visit, that is, death in the hospital or a transfer to an intensive care unit within 12 hours.",
            "the patient will die during hospitalization or will be transferred to the ICU within 12 hours after the emergency room."),
        Risk("Readmission_30day", "discharge", "the patient will be admitted to the hospital again within 30 days of this discharge.",
            "the patient will be readmitted to the hospital within 30 days"),
        Risk("Readmission_60day", "discharge", "the patient will be admitted to the hospital again within 60 days of this discharge.",
            "the patient will be readmitted to the hospital within 60 days"),
        Risk("Inpatient_Mortality", "admissions", "the patient will die during this hospital admission.",
            "the patient will die during hospitalization."),
        Risk("LengthOfStay_3day", "admissions", "the patient will stay in the hospital for more than 3 days in this admission.",
            "the patient's hospital stay will exceed 3 days."),
        Risk("LengthOfStay_7day", "admissions", "the patient will stay in the hospital for more than 7 days in this admission.",
            "the patient's hospital stay will exceed 7 days"),
        Risk("ICU_Mortality_1day", "icustays", "the patient will die within 1 day.",
            "the patient will die within 1 day."),
        Risk("ICU_Mortality_2day", "icustays", "the patient will die within 2 days.",
            "the patient will die within 2 day."),
        Risk("ICU_Mortality_3day", "icustays", "the patient will die within 3 days.",
            "the patient will die within 3 day."),
        Risk("ICU_Mortality_7day", "icustays", "the patient will die within 7 days.",
            "the patient will die within 7 day."),
        Risk("ICU_Mortality_14day", "icustays", "the patient will die within 14 days.",
            "the patient will die within 14 day."),
        Risk("ICU_Stay_7day", "icustays", "the patient will stay in this intensive care unit for at least 7 days.",
            "the patient will stay in the ICU for more than 7 days."),
        Risk("ICU_Stay_14day", "icustays", "the patient will stay in this intensive care unit for at least 14 days.",
            "the patient will stay in the ICU for more than 14 days."),
        Risk("ICU_Readmission", "icustays", "the patient will be admitted to an intensive care unit again during this hospital admission.",
            "the patient will be admitted to the ICU again during this hospitalization"),
    ];

    /// <summary>Tasks by name (ordinal).</summary>
    public static FrozenDictionary<string, TaskDefinition> ByName { get; } =
        All.ToFrozenDictionary(t => t.Name, StringComparer.Ordinal);

    /// <summary>Decision tasks bound to each event table (next_event excluded: it applies to every table).</summary>
    public static FrozenDictionary<string, ImmutableArray<TaskDefinition>> DecisionTasksByEvent { get; } =
        All.Where(t => t.Kind == TaskKind.DecisionMaking && t.Name != NextEvent)
            .GroupBy(t => t.Event, StringComparer.Ordinal)
            .ToFrozenDictionary(g => g.Key, g => g.ToImmutableArray(), StringComparer.Ordinal);

    /// <summary>The next_event task.</summary>
    public static TaskDefinition NextEventTask => ByName[NextEvent];

    /// <summary>Number of decision-making tasks (28).</summary>
    public static int DecisionCount => All.Count(t => t.Kind == TaskKind.DecisionMaking);

    /// <summary>Number of risk-prediction tasks (18).</summary>
    public static int RiskCount => All.Count(t => t.Kind == TaskKind.RiskPrediction);

    /// <summary>The task named <paramref name="name"/>, or null.</summary>
    public static TaskDefinition? Find(string name) => ByName.GetValueOrDefault(name);

    private static TaskDefinition Decision(string name, string table, string key, string metric, string what, ImmutableArray<string>? bid = null) =>
        new(name, table, key, metric, bid ?? NoBid, TaskKind.DecisionMaking, DecisionPrefix + what + DecisionSuffix) { UpstreamInstruction = DecisionPrefix + what + DecisionSuffix };

    /// <summary>A risk task: our question, and upstream's (verbatim, typos and missing full stops included).</summary>
    private static TaskDefinition Risk(string name, string anchor, string question, string upstreamQuestion) =>
        new(name, anchor, "label", "aucroc", NoBid, TaskKind.RiskPrediction, RiskPrefix + question) { UpstreamInstruction = RiskPrefix + upstreamQuestion };
}
