using EhrR1.Graph.Evaluation.Bench;

namespace EhrR1.Graph.Evaluation.Tests;

/// <summary>Bench samples with gold labels only (no text), for the baseline tests.</summary>
internal static class GoldSamples
{
    public static BenchSample Of(string id, string task, TaskScoring scoring, params string[] gold) => new()
    {
        Line = 1,
        SampleId = id,
        Task = task,
        Family = scoring == TaskScoring.Risk ? TaskFamily.RiskPrediction : TaskFamily.DecisionMaking,
        Scoring = scoring,
        DeclaredMetric = scoring == TaskScoring.Risk ? "aucroc" : "recall",
        Gold = gold,
        GoldText = string.Join('\n', gold),
        RiskPositive = gold is ["yes"],
    };
}
