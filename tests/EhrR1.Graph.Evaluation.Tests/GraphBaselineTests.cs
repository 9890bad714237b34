using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Evaluation.Baselines;
using EhrR1.Graph.Evaluation.Bench;

namespace EhrR1.Graph.Evaluation.Tests;

/// <summary>The graph baseline on a hand-made fixture whose answers are computed by hand in the comments.</summary>
public sealed class GraphBaselineTests
{
    private const string Lab = "labevents";
    private const string Risk = "ICU_Mortality_7day";

    private static BenchSample Sample(string id, string task, TaskScoring scoring, params string[] gold) => GoldSamples.Of(id, task, scoring, gold);

    // Training label sets and histories (terms in mixed case, as the pipeline writes them; bench gold is lower case):
    //   t1 {potassium}          history {Kayexalate}
    //   t2 {potassium, sodium}  history {Kayexalate, Edema}
    //   t3 {chloride}           history {Furosemide}
    // Lift pairs of labevents: (Potassium ← Kayexalate) 8, (Chloride ← Furosemide) 6, (Sodium ← Furosemide) 2.
    // Knowledge relation: Edema (C6) — Sodium (C5).
    private static GraphBaselineInputs Inputs(params (string Id, string[] History)[] extra)
    {
        var history = new List<KeyValuePair<string, IReadOnlyList<string>>>
        {
            new("t1", ["Kayexalate"]),
            new("t2", ["Kayexalate", "Edema"]),
            new("t3", ["Furosemide"]),
        };
        history.AddRange(extra.Select(e => new KeyValuePair<string, IReadOnlyList<string>>(e.Id, e.History)));
        CooccurrenceStat Pair(string target, string h, double lift) => new(Lab, target, h, 1, 1, 1, 10, lift);
        var cuis = new Dictionary<string, string>
        {
            ["Kayexalate"] = "C1", ["Potassium"] = "C2", ["Furosemide"] = "C3", ["Chloride"] = "C4", ["Sodium"] = "C5", ["Edema"] = "C6",
        };
        return new GraphBaselineInputs(
            history,
            [Pair("Potassium", "Kayexalate", 8), Pair("Chloride", "Furosemide", 6), Pair("Sodium", "Furosemide", 2)],
            cuis,
            [new UmlsRelation("C6", "C5", "RO", "associated_with", "TEST"), new UmlsRelation("C1", "C99", "RO", "x", "TEST")]);
    }

    private static BenchSample[] Training() =>
    [
        Sample("t1", Lab, TaskScoring.LabelSet, "potassium"),
        Sample("t2", Lab, TaskScoring.LabelSet, "potassium", "sodium"),
        Sample("t3", Lab, TaskScoring.LabelSet, "chloride"),
    ];

    [Fact]
    public void Should_RankLabelsBySummedLiftPlusRelations_When_PredictingALabelSetTask()
    {
        // Given a test sample whose history is {Furosemide, Edema}
        var inputs = Inputs(("x1", ["Furosemide", "Edema"]), ("x2", []));

        // When
        var baseline = GraphBaseline.Fit(Training(), inputs, new GraphBaselineSettings { RelationWeight = 5 });

        // Then: scores sodium 2 + 5 (relation Edema—Sodium) = 7, chloride 6, potassium 0.
        baseline.Rank(Lab, inputs.History["x1"]).Should().Equal("sodium", "chloride", "potassium");

        // k: training rankings are t1 [potassium 8, chloride, sodium (ties: frequency 1 each, then ordinal)],
        // t2 [potassium 8, sodium 5, chloride], t3 [chloride 6, sodium 2, potassium]. Mean training F1:
        // k=1 (1 + 2/3 + 1)/3 = 0.889; k=2 (2/3 + 1 + 2/3)/3 = 0.778; k=3 (1/2 + 4/5 + 1/2)/3 = 0.6 → k = 1.
        baseline.LabelCounts[Lab].Should().Be(1);
        baseline.Predict(Sample("x1", Lab, TaskScoring.LabelSet, "sodium")).Text.Should().Be("sodium");

        // no history: no evidence, so the frequency order (potassium 2, then chloride, sodium by ordinal)
        baseline.Predict(Sample("x2", Lab, TaskScoring.LabelSet, "sodium")).Text.Should().Be("potassium");
    }

    [Fact]
    public void Should_UseLiftOnly_When_TheRelationWeightIsZero()
    {
        var inputs = Inputs(("x1", ["Furosemide", "Edema"]));
        var baseline = GraphBaseline.Fit(Training(), inputs, new GraphBaselineSettings { RelationWeight = 0 });

        // chloride 6 > sodium 2 > potassium 0
        baseline.Rank(Lab, inputs.History["x1"]).Should().Equal("chloride", "sodium", "potassium");
        inputs.RelationCount.Should().Be(2, "Edema—Sodium both ways; C1—C99 has an unlinked end and is dropped");
    }

    [Fact]
    public void Should_FitPYesOnSummedLiftWithYes_When_ARiskTaskHasBothClasses()
    {
        // Given 6 training samples: 2 with history {Vasopressor} (one yes), 4 without (one yes).
        var history = new List<KeyValuePair<string, IReadOnlyList<string>>>
        {
            new("r1", ["Vasopressor"]), new("r2", ["Vasopressor"]), new("r3", []), new("r4", []), new("r5", []), new("r6", []),
            new("q1", ["Vasopressor"]), new("q2", ["Aspirin"]),
        };
        var inputs = new GraphBaselineInputs(history, [], new Dictionary<string, string>(), []);
        var train = new[]
        {
            Sample("r1", Risk, TaskScoring.Risk, "yes"), Sample("r2", Risk, TaskScoring.Risk, "no"),
            Sample("r3", Risk, TaskScoring.Risk, "yes"), Sample("r4", Risk, TaskScoring.Risk, "no"),
            Sample("r5", Risk, TaskScoring.Risk, "no"), Sample("r6", Risk, TaskScoring.Risk, "no"),
        };

        // When fitted without a ridge and with support 1
        var baseline = GraphBaseline.Fit(train, inputs, new GraphBaselineSettings { MinSupport = 1, Ridge = 0 });

        // Then: the score is a binary feature (log lift of Vasopressor with yes, ln(1.5·7/(3·2.5)) = ln 1.4 > 0, or 0),
        // so the maximum-likelihood logistic fit reproduces each group's training rate: 1/2 with it, 1/4 without.
        var with = baseline.Predict(Sample("q1", Risk, TaskScoring.Risk, "yes"));
        with.PYes.Should().BeApproximately(0.5, 1e-9);
        with.ProbabilitySource.Should().Be("graph_lift_logistic");
        baseline.Predict(Sample("q2", Risk, TaskScoring.Risk, "no")).PYes.Should().BeApproximately(0.25, 1e-9, "Aspirin was never seen in training");
    }

    [Fact]
    public void Should_FallBackToThePrevalence_When_TheTrainingSplitHoldsOneClass()
    {
        var history = new List<KeyValuePair<string, IReadOnlyList<string>>> { new("r1", ["A"]), new("r2", ["A"]), new("q", ["A"]) };
        var inputs = new GraphBaselineInputs(history, [], new Dictionary<string, string>(), []);
        var train = new[] { Sample("r1", Risk, TaskScoring.Risk, "no"), Sample("r2", Risk, TaskScoring.Risk, "no") };

        var p = GraphBaseline.Fit(train, inputs, new GraphBaselineSettings { MinSupport = 1 }).Predict(Sample("q", Risk, TaskScoring.Risk, "no"));

        p.PYes.Should().Be(0);
        p.ProbabilitySource.Should().Be("training_prevalence");
    }
}
