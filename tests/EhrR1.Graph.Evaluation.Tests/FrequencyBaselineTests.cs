using EhrR1.Graph.Evaluation.Baselines;
using EhrR1.Graph.Evaluation.Bench;

namespace EhrR1.Graph.Evaluation.Tests;

public sealed class FrequencyBaselineTests
{
    private static BenchSample Sample(string task, TaskScoring scoring, params string[] gold) =>
        GoldSamples.Of(task + ":" + string.Join("+", gold), task, scoring, gold);

    [Fact]
    public void Should_PredictTheLabelListThatMaximisesTrainingF1_When_ATaskHasLabelSets()
    {
        // Given potassium in every sample, sodium in half, chloride once
        var train = new[]
        {
            Sample("labevents", TaskScoring.LabelSet, "potassium", "sodium"),
            Sample("labevents", TaskScoring.LabelSet, "potassium", "sodium"),
            Sample("labevents", TaskScoring.LabelSet, "potassium"),
            Sample("labevents", TaskScoring.LabelSet, "potassium", "chloride"),
        };

        // When
        var labels = FrequencyBaseline.BestLabelList(train);

        // Then: {potassium} scores mean F1 (2/3 + 2/3 + 1 + 2/3) / 4 = 0.75; {potassium, sodium} scores
        // (1 + 1 + 2/3 + 1/2) / 4 = 0.79; adding chloride lowers it to (0.8 + 0.8 + 0.5 + 0.8) / 4 = 0.725
        labels.Should().Equal("potassium", "sodium");
        FrequencyBaseline.Fit(train).Predict(Sample("labevents", TaskScoring.LabelSet, "x")).Text.Should().Be("potassium\nsodium");
    }

    [Fact]
    public void Should_GiveTheTrainingPrevalenceAsPYes_When_ATaskIsARiskTask()
    {
        var train = new[]
        {
            Sample("ICU_Mortality", TaskScoring.Risk, "yes"),
            Sample("ICU_Mortality", TaskScoring.Risk, "no"),
            Sample("ICU_Mortality", TaskScoring.Risk, "no"),
            Sample("ICU_Mortality", TaskScoring.Risk, "no"),
        };

        var p = FrequencyBaseline.Fit(train).Predict(Sample("ICU_Mortality", TaskScoring.Risk, "yes"));

        p.PYes.Should().Be(0.25);
        p.Text.Should().Be("no");
        FrequencyBaseline.Fit(train).Predict(Sample("Readmission_30day", TaskScoring.Risk, "no")).PYes.Should().Be(0.5, "a task unseen in training gets no information");
    }

    [Fact]
    public void Should_PredictTheMostFrequentAnswer_When_TheTaskIsNextEvent()
    {
        var train = new[]
        {
            Sample("next_event", TaskScoring.NextEvent, "labevents"),
            Sample("next_event", TaskScoring.NextEvent, "poe"),
            Sample("next_event", TaskScoring.NextEvent, "labevents"),
        };

        FrequencyBaseline.Fit(train).Predict(Sample("next_event", TaskScoring.NextEvent, "poe")).Text.Should().Be("labevents");
    }
}
