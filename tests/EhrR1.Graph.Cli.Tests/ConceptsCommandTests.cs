using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>Bad input to the concept commands: exit code 1, the file named, nothing written.</summary>
public sealed class ConceptsCommandTests
{
    [Fact]
    public async Task Should_ExitOneAndWriteNothing_When_TheStoreIsMissing()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await CliRunner.Run("concepts", "extract", "--store", dir.Combine("no-store"), "--index", dir.Combine("no-index"), "--out", dir.Combine("concepts"));
        code.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("no-store").And.Contain("ehr-graph ingest");
        Directory.Exists(dir.Combine("concepts")).Should().BeFalse();
    }

    [Fact]
    public async Task Should_ExitOneAndWriteNothing_When_TheConceptsFolderIsMissing()
    {
        using var dir = new TempDirectory();
        var samples = dir.Combine("train.jsonl");
        File.WriteAllText(samples, "{\"sample_id\":\"labevents:1:12\",\"subject_id\":1,\"task\":\"labevents\",\"event\":\"labevents\",\"target_index\":12,\"context_begin\":1,\"context_end\":12,\"target\":[\"Sodium\"]}\n");
        var (code, _, stderr) = await CliRunner.Run("concepts", "samples", "--samples", samples, "--concepts", dir.Combine("none"), "--out", dir.Combine("out.jsonl"));
        code.Should().Be(1);
        stderr.Should().Contain("events.jsonl").And.Contain("concepts extract");
        File.Exists(dir.Combine("out.jsonl")).Should().BeFalse();
    }
}
