using EhrR1.Graph.Reasoning.Filtering;

namespace EhrR1.Graph.Reasoning.Tests.Filtering;

public sealed class ChainCheckerTests
{
    private const string Body = "## Extraction\n**Lab [2150-01-01 08:00]**: creatinine high\n\n## Reasoning\nKidney injury explains it.\n\n## Final Results\n";

    private static readonly ChainChecker Checker = new(new FilterSettings { ResultsPath = "r", OutputPath = "o" });

    [Fact]
    public void Should_Keep_When_AllLabelsFollowFinalResults()
    {
        Checker.Check(Body + "Creatinine\nPotassium", ["Creatinine", "Potassium"], "stop").Reasons.Should().BeEmpty();
    }

    [Fact]
    public void Should_NormaliseCaseAndWhitespace_When_MeasuringCoverage()
    {
        ChainChecker.Coverage(Body + "CHEST  (pa and\nLAT)", ["CHEST (PA AND LAT)"]).Should().Be(1.0);
    }

    [Fact]
    public void Should_CountOnlyTextAfterLastFinalResults_When_LabelsAppearEarlier()
    {
        var chain = "## Extraction\nCreatinine Potassium\n## Reasoning\nfinal results are coming\n## Final Results\nPotassium";

        ChainChecker.Coverage(chain, ["Creatinine", "Potassium"]).Should().Be(0.5);
        Checker.Check(chain, ["Creatinine", "Potassium"], "stop").Reasons.Should().Contain(ChainChecker.LowCoverage);
    }

    [Fact]
    public void Should_TreatStringTargetAsOneLabel_When_LabelIsString()
    {
        // Upstream iterated a string target character by character: "yes" was covered by any text with y, e and s.
        ChainChecker.Coverage(Body + "The eyes say so", ["yes"]).Should().Be(0.0);
        ChainChecker.Coverage(Body + "yes", ["yes"]).Should().Be(1.0);
    }

    [Theory]
    [InlineData("As the Ground Truth shows, ", ChainChecker.Leak)]
    [InlineData("Using the retrieved knowledge, ", ChainChecker.Leak)]
    [InlineData("## Extraction and Analysis\n", ChainChecker.OldFormat)]
    public void Should_Reject_When_ChainLeaksOrUsesOldHeaders(string prefix, string reason)
    {
        Checker.Check(prefix + Body + "Creatinine", ["Creatinine"], "stop").Reasons.Should().Contain(reason);
    }

    [Fact]
    public void Should_Reject_When_SectionsAreMissingOrOutOfOrder()
    {
        Checker.Check("## Reasoning\nx\n## Extraction\ny\n## Final Results\nA", ["A"], "stop").Reasons.Should().Equal(ChainChecker.MissingSections);
        Checker.Check("Therefore, the final results: A", ["A"], "stop").Reasons.Should().Equal(ChainChecker.MissingSections);
    }

    [Fact]
    public void Should_Reject_When_NoFinalResultsOrTruncated()
    {
        Checker.Check("## Extraction\nx\n## Reasoning\ny", ["A"], "stop").Reasons.Should().Contain(ChainChecker.NoFinalResults);
        Checker.Check(Body + "A", ["A"], "length").Reasons.Should().Equal(ChainChecker.Truncated);
    }
}
