using EhrR1.Graph.Training.Data;

namespace EhrR1.Graph.Training.Tests.Data;

/// <summary>Upstream's curriculum mixing (<c>MultipleDataset --curriculum</c>): which sample comes at which draw.</summary>
public sealed class CurriculumScheduleTests
{
    [Fact]
    public void Should_WithholdTheSecondDatasetUntilOneMinusTwiceItsRatio_Then_RaiseItsShareLinearlyToOne()
    {
        // |D1| = 20, |D2| = 4: the second dataset starts at progress 1 - 2 * 4 / 20 = 0.6
        var start = CurriculumSchedule.Start(20, 4);
        start.Should().BeApproximately(0.6, 1e-12);
        CurriculumSchedule.SecondShare(0.0, start).Should().Be(0);
        CurriculumSchedule.SecondShare(0.6, start).Should().Be(0);
        CurriculumSchedule.SecondShare(0.8, start).Should().BeApproximately(0.5, 1e-12);
        CurriculumSchedule.SecondShare(0.9, start).Should().BeApproximately(0.75, 1e-12);
        CurriculumSchedule.SecondShare(1.0, start).Should().Be(1);

        // a second dataset at least half the first's size is mixed in from the start
        CurriculumSchedule.Start(10, 5).Should().Be(0);
        CurriculumSchedule.Start(10, 9).Should().Be(0);
    }

    [Fact]
    public void Should_PutEachSampleAtAFixedDraw_When_SizesDrawsAndSeedAreGiven()
    {
        // Given |D1| = 20 (indices 0-19) and |D2| = 4 (indices 20-23), one pass of 24 draws, seed 7
        var order = CurriculumSchedule.Order(20, 4, 24, seed: 7);

        // Then: the same order every time, and this one
        CurriculumSchedule.Order(20, 4, 24, seed: 7).Should().Equal(order);
        order.Should().Equal(ExpectedOrder);

        // draws 0-14 (progress ≤ 0.6) are all from the first dataset, each of its samples at most once in the pass
        order.Take(15).Should().OnlyContain(i => i < 20).And.OnlyHaveUniqueItems();
        order.Where(i => i >= 20).Should().OnlyHaveUniqueItems().And.NotBeEmpty();
        order.Where(i => i < 20).Should().OnlyHaveUniqueItems();
        CurriculumSchedule.Order(20, 4, 24, seed: 8).Should().NotEqual(order);
    }

    [Fact]
    public void Should_DrawAboutTheSecondDatasetsSizeInTheLastPart_When_TheRunIsLong()
    {
        // |D1| = 10,000, |D2| = 1,000: withheld until 0.8, then about 11,000 * 0.2 / 2 = 1,100 second-dataset draws
        var order = CurriculumSchedule.Order(10_000, 1_000, 11_000, seed: 42);
        var firstSecond = Array.FindIndex(order, i => i >= 10_000);
        ((double)firstSecond / order.Length).Should().BeGreaterThan(0.8);
        order.Count(i => i >= 10_000).Should().BeInRange(1_000, 1_200);

        // the share in the last tenth (progress 0.9-1.0, expected 0.75) is about three times the share in 0.8-0.9 (0.25)
        var late = order.Skip(9_900).Count(i => i >= 10_000) / 1_100.0;
        var middle = order.Skip(8_800).Take(1_100).Count(i => i >= 10_000) / 1_100.0;
        late.Should().BeApproximately(0.75, 0.06);
        middle.Should().BeApproximately(0.25, 0.06);
    }

    [Fact]
    public void Should_CycleEachDatasetAndCutConsecutiveBatches_When_DrawingMoreThanOnePass()
    {
        var order = CurriculumSchedule.Order(3, 0, 7, seed: 1);
        order.Take(3).Should().BeEquivalentTo([0, 1, 2]);
        order.Skip(3).Take(3).Should().BeEquivalentTo([0, 1, 2]);
        CurriculumSchedule.Order(0, 2, 2, seed: 1).Should().BeEquivalentTo([0, 1]);

        var batches = CurriculumSchedule.Batches(order, 3);
        batches.Select(b => b.Length).Should().Equal(3, 3, 1);
        batches.SelectMany(b => b).Should().Equal(order);
    }

    /// <summary>
    /// Seed 7: the 20 first-dataset samples in a shuffled order, the second dataset's first sample at draw 19
    /// (progress 0.79, share 0.48), then one more first-dataset sample and the other three second-dataset samples.
    /// </summary>
    private static readonly int[] ExpectedOrder = [19, 17, 13, 16, 6, 0, 11, 15, 10, 18, 3, 7, 4, 14, 9, 12, 8, 1, 2, 20, 5, 22, 23, 21];
}
