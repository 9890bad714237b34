namespace EhrR1.Graph.Tasks.Definitions;

/// <summary>The two EHR-Bench task families.</summary>
public enum TaskKind
{
    /// <summary>Predict the items of the next event of a type (a set of strings), or the next event type.</summary>
    DecisionMaking,

    /// <summary>Binary outcome prediction; labels are "yes" or "no".</summary>
    RiskPrediction,
}
