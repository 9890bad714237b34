using EhrR1.Graph.Core.IO;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Core.Tests;

/// <summary>The data terms of an opt-in source travel from the vocabulary's manifest to every stage after it.</summary>
public sealed class DataTermsTests
{
    [Fact]
    public void Should_FindTheTerms_When_AFolderOrAFileHasAManifestThatStatesThem()
    {
        using var dir = new TempDirectory("ehrr1-terms-");
        var vocab = dir.Combine("vocab");
        Directory.CreateDirectory(vocab);
        new RunManifest { Stage = "umls build-sample", Settings = new Dictionary<string, string?> { [RunManifest.TermsSetting] = "NON-COMMERCIAL / RESEARCH USE: CC BY-NC-SA 4.0" } }.Save(Path.Combine(vocab, "manifest.json"));
        var evidence = dir.Combine("evidence.jsonl");
        File.WriteAllText(evidence, string.Empty);
        new RunManifest { Stage = "evidence search", Settings = new Dictionary<string, string?> { [RunManifest.TermsSetting] = RunManifest.TermsOf(vocab) } }.Save(evidence + ".manifest.json");

        RunManifest.TermsOf(vocab).Should().StartWith("NON-COMMERCIAL");
        RunManifest.TermsOf(evidence).Should().StartWith("NON-COMMERCIAL", "a file's terms come from the manifest beside it");
        RunManifest.IsRestricted(RunManifest.TermsOf(evidence)).Should().BeTrue();
        RunManifest.TermsOf(dir.Combine("nothing-here")).Should().BeNull();
        RunManifest.IsRestricted("open default sources only: free use with attribution").Should().BeFalse();
    }
}
