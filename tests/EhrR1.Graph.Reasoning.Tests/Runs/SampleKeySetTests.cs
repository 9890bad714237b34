using System.Globalization;
using EhrR1.Graph.Reasoning.Runs;

namespace EhrR1.Graph.Reasoning.Tests.Runs;

public sealed class SampleKeySetTests
{
    [Fact]
    public void Should_AnswerLikeAHashSet_When_ManyMergesHaveHappened()
    {
        var set = new SampleKeySet();
        var reference = new HashSet<string>(StringComparer.Ordinal);
        var rng = new Random(11);
        for (var i = 0; i < 60_000; i++)
        {
            // Ids drawn from a range of 40k: about a third of the adds are repeats, across and within merges.
            var id = "labevents:" + rng.Next(40_000).ToString(CultureInfo.InvariantCulture) + ":3";
            set.Add(id).Should().Be(reference.Add(id), id);
        }

        set.Count.Should().Be(reference.Count);
        for (var k = 0; k < 80_000; k += 7)
        {
            var id = "labevents:" + k.ToString(CultureInfo.InvariantCulture) + ":3";
            set.Contains(id).Should().Be(reference.Contains(id), id);
        }
    }

    [Fact]
    public void Should_TellIdsApart_When_TheyDifferInOneCharacter()
    {
        var set = new SampleKeySet();
        set.Add("a:1").Should().BeTrue();
        set.Contains("a:1").Should().BeTrue();
        set.Contains("a:2").Should().BeFalse();
        set.Contains("A:1").Should().BeFalse();
        set.Add("a:1").Should().BeFalse();
    }
}
