namespace EhrR1.Graph.Evaluation.Bench;

/// <summary>The two EHR-Bench task families.</summary>
public enum TaskFamily
{
    /// <summary>Decision-making tasks: predict the items of the next event (a set of lines), next_event, discharge.</summary>
    DecisionMaking,

    /// <summary>Binary risk-prediction tasks answered "yes" or "no".</summary>
    RiskPrediction,
}

/// <summary>How a task's predictions are scored.</summary>
public enum TaskScoring
{
    /// <summary>Set precision/recall/F1 (and exact match) over normalised answer lines.</summary>
    LabelSet,

    /// <summary>next_event: case-insensitive starts-with accuracy.</summary>
    NextEvent,

    /// <summary>Risk tasks: P(yes) → AUROC, accuracy at 0.5, Brier score, ECE.</summary>
    Risk,

    /// <summary>Free-text generation (discharge): ROUGE-1 F.</summary>
    Generation,
}

/// <summary>Names used in files and tables.</summary>
public static class TaskFamilyNames
{
    public const string DecisionMaking = "decision_making";
    public const string RiskPrediction = "risk_prediction";

    public static string Name(this TaskFamily family) =>
        family == TaskFamily.RiskPrediction ? RiskPrediction : DecisionMaking;
}
