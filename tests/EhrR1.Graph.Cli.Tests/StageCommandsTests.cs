using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>Commands run through the stage runner: every problem listed at once, before any work, nothing written.</summary>
public sealed class StageCommandsTests
{
    [Fact]
    public async Task Should_ListEveryProblem_When_CooccurHasBadOptionsMissingInputsAndAnExistingOutput()
    {
        // Given
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("out"));
        File.WriteAllText(dir.Combine("out", "pairs.jsonl"), "");

        // When
        var (code, stdout, stderr) = await CliRunner.Run("graph", "cooccur", "--tasks", dir.Combine("no-index"), "--concepts", dir.Combine("no-concepts"), "--out", dir.Combine("out"), "--min-support", "-1");

        // Then
        code.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("--min-support must be >= 0")
            .And.Contain("--tasks: " + dir.Combine("no-index") + " does not exist").And.Contain("ehr-graph tasks index")
            .And.Contain("--concepts: " + dir.Combine("no-concepts", "events.jsonl") + " does not exist")
            .And.Contain("Pass --force");
        File.ReadAllText(dir.Combine("out", "pairs.jsonl")).Should().BeEmpty();
    }

    [Fact]
    public async Task Should_ExitOneAndWriteNothing_When_TheReportHasNoEvidenceFile()
    {
        // Given
        using var dir = new TempDirectory();

        // When
        var (code, stdout, stderr) = await CliRunner.Run("evidence", "report", "--evidence", dir.Combine("evidence.jsonl"), "--out", dir.Combine("report"));

        // Then
        code.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("--evidence: " + dir.Combine("evidence.jsonl") + " does not exist").And.Contain("ehr-graph evidence search");
        Directory.Exists(dir.Combine("report")).Should().BeFalse();
    }
}
