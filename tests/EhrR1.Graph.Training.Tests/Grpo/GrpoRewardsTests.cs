using EhrR1.Graph.Training.Grpo;

namespace EhrR1.Graph.Training.Tests.Grpo;

public sealed class GrpoRewardsTests
{
    private static readonly RewardTarget Labels = new(AnswerKind.LabelSet, ["Aspirin", "Heparin", "Insulin"]);
    private static readonly RewardTarget Yes = new(AnswerKind.StartsWith, ["yes"]);

    [Theory]
    [InlineData("Aspirin\nHeparin\nInsulin")]
    [InlineData("<think>\n## Final Results\nAspirin\nHeparin\nInsulin")]
    [InlineData("")]
    public void Should_GiveZeroVerifyReward_When_CompletionHasNoThinkClose(string completion)
    {
        GrpoRewards.Verify(completion, Labels).Should().Be(0.0);
        GrpoRewards.Verify(completion.Length == 0 ? "yes" : completion, Yes).Should().Be(0.0);
    }

    [Fact]
    public void Should_ScoreSetF1OfNormalisedLines_When_LabelSetTask()
    {
        // Predicted {aspirin, heparin, warfarin} (blank lines, spaces and case ignored, duplicate counted once) vs gold
        // {aspirin, heparin, insulin}: P = 2/3, R = 2/3, F1 = 2/3.
        var completion = "<think>\nHeparin? see </think> note\n</think>\n\n  ASPIRIN \n\nheparin\nHeparin\nwarfarin\n";

        GrpoRewards.Verify(completion, Labels).Should().BeApproximately(2.0 / 3.0, 1e-12);
    }

    [Fact]
    public void Should_UseTextAfterLastThinkClose_When_SeveralThinkCloses()
    {
        // The first answer block (before the last </think>) is all correct but does not count: only "insulin" does.
        // P = 1/1, R = 1/3, F1 = 2 * 1 * (1/3) / (4/3) = 0.5.
        GrpoRewards.Verify("<think>a</think>aspirin\nheparin\n</think>\nInsulin", Labels).Should().BeApproximately(0.5, 1e-12);
        GrpoRewards.Verify("<think>x</think>\n\n", Labels).Should().Be(0.0);
        GrpoRewards.Verify("<think>x</think>\nAspirin\nHeparin\nInsulin", Labels).Should().Be(1.0);
    }

    [Theory]
    [InlineData("<think>\n\n</think>\n\nYes", 1.0)]
    [InlineData("<think>\n\n</think>\n\n  yes, high risk", 1.0)]
    [InlineData("<think>\n\n</think>\n\nno", 0.0)]
    [InlineData("<think>\n\n</think>\n\nMaybe yes", 0.0)]
    public void Should_MatchStartsWith_When_RiskTask(string completion, double expected)
    {
        GrpoRewards.Verify(completion, Yes).Should().Be(expected);
    }

    [Theory]
    [InlineData("<think>\n## Extraction\na\n## Reasoning\nb\n## Final Results\nc\n</think>\n\nAspirin\nHeparin", 1.0)]
    [InlineData("## Extraction\n## Reasoning\n## Final Results\n</think>\nAspirin", -1.0)]
    [InlineData("<think>\n## Extraction\n## Reasoning\n## Final Results\nAspirin", -1.0)]
    [InlineData("<think>\n## Extraction\n## Final Results\n</think>\nAspirin", -1.0)]
    [InlineData("<think>\n## Extraction\n## Reasoning\n## Final Results\n</think>\nAspirin\n\n ASPIRIN", -1.0)]
    [InlineData("</think><think>\n## Extraction\n## Reasoning\n## Final Results\n", -1.0)]
    public void Should_ScoreFormat_When_HeadersThinkTagsAndDuplicatesVary(string completion, double expected)
    {
        GrpoRewards.Format(completion).Should().Be(expected);
    }

    [Fact]
    public void Should_WeightRewards_When_Combining()
    {
        new RewardWeights().Combine(0.5, -1).Should().Be(0.5, "the format reward is off by default, as released");
        new RewardWeights(Verify: 1, Format: 0.5).Combine(0.5, -1).Should().Be(0.0);
    }
}
