using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Evidence.Pairs;

namespace EhrR1.Graph.Evidence.Tests;

public sealed class PairSelectionTests
{
    private static CooccurrenceStat Row(string t, string h, double lift, long dfH = 10) => new("task", t, h, 1, 10, dfH, 100, lift);

    [Fact]
    public void Should_KeepOnlyStrictlyAboveThresholdWithSupport_When_Selecting()
    {
        // Given
        var table = LiftTable.Build([Row("T", "a", 5.0), Row("T", "b", 5.01), Row("T", "c", 9, dfH: 4), Row("T", "d", 9, dfH: 5), Row("T", "T", 50)], threshold: 5, minSupport: 5);

        // When
        var result = PairSelection.Select(table, "task", ["T"], ["a", "b", "c", "d", "T"], topK: 20);

        // Then
        result.Pairs.Select(p => p.History).Should().Equal("d", "b");
    }

    [Fact]
    public void Should_TakeTopKByLiftWithOrdinalTieBreak_When_ManyCandidatesAreVisible()
    {
        // Given
        var table = LiftTable.Build([Row("T", "z", 7), Row("T", "y", 7), Row("T", "x", 9), Row("T", "w", 6), Row("T", "hidden", 100)], 5, 5);

        // When
        var result = PairSelection.Select(table, "task", ["T", "T"], ["w", "x", "y", "z"], topK: 3);

        // Then the top-k is taken among visible concepts only
        result.Pairs.Select(p => p.History).Should().Equal("x", "y", "z");
        result.Targets.Should().Be(1);
    }

    [Fact]
    public void Should_CountTargetsWithoutRows_When_ATargetNeverCooccurs()
    {
        // Given a target whose only row is below the threshold, and one with no row at all
        var table = LiftTable.Build([Row("T", "a", 2)], 5, 5);

        // When
        var result = PairSelection.Select(table, "task", ["T", "U"], ["a"], topK: 20);

        // Then
        result.Pairs.Should().BeEmpty();
        result.TargetsWithoutCooccurrence.Should().Be(1);
    }
}
