using EhrR1.Graph.Tasks.Sampling;

namespace EhrR1.Graph.Tasks.Tests.Sampling;

/// <summary>Settings that would write the wrong part silently are refused.</summary>
public sealed class SampleSettingsTests
{
    private static SampleSettings Settings(SplitPart split, double? ratio) => new()
    {
        IndexDirectory = "index",
        ConfigPath = "config.json",
        OutputFile = Path.Combine(Path.GetTempPath(), "ehrr1-no-such-output-" + Guid.NewGuid().ToString("N") + ".jsonl"),
        Split = split,
        TestRatio = ratio,
    };

    [Fact]
    public void Should_RefuseTheTestPart_When_NoTestRatioSplitsTheSubjects() =>
        Settings(SplitPart.Test, null).Validate().Should().ContainSingle(p => p.StartsWith("--split test needs --test-ratio", StringComparison.Ordinal));

    [Fact]
    public void Should_AcceptTheSplit_When_ATestRatioIsGiven_OrTheTrainPartIsKept()
    {
        Settings(SplitPart.Test, 0.2).Validate().Should().NotContain(p => p.Contains("--split", StringComparison.Ordinal));
        Settings(SplitPart.Train, null).Validate().Should().NotContain(p => p.Contains("--split", StringComparison.Ordinal));
    }
}
