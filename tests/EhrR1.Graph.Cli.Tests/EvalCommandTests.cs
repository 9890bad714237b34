using System.Text.Json;
using EhrR1.Graph.TestSupport.Http;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>In-process runs of <c>ehr-graph eval run|score|compare</c> against a loopback OpenAI-compatible server.</summary>
public sealed class EvalCommandTests
{
    [Fact]
    public async Task Should_WriteResultsPlotsAndComparison_When_RunningScoringAndComparing()
    {
        using var dir = new TempDirectory();
        var bench = TestPaths.TestData("evaluation", "mini-bench.jsonl");
        await using var server = new LoopbackChatServer((request, arrival) =>
            LoopbackChatServer.Completion(request, (body, choice) => body.TryGetProperty("top_logprobs", out _) ? "yes" : "Glucose\nSodium"));

        var (code, stdout, stderr) = await CliRunner.Run("eval", "run", "--bench", bench, "--out", dir.Combine("a"), "--endpoint", server.OpenAiEndpoint.ToString(), "--model", "fake-ehr-r1", "--bootstrap", "100");
        code.Should().Be(0, stderr);
        using (var report = JsonDocument.Parse(stdout))
        {
            report.RootElement.GetProperty("Counts").GetProperty("predicted").GetInt64().Should().Be(6);
        }

        foreach (var f in new[] { "predictions.jsonl", "scores.jsonl", "result.json", "results.md", "manifest.json", "plots/roc-ICU_Mortality_1day.png", "plots/roc-ICU_Mortality_1day.svg", "plots/tasks-primary.png", "plots/tasks-primary.svg" })
        {
            File.Exists(dir.Combine("a", f)).Should().BeTrue(f);
        }

        File.ReadAllText(dir.Combine("a", "results.md")).Should().Contain("| labevents | f1 | 2 | 0 |");
        server.RequestCount.Should().Be(6);

        // a second run resumes: nothing left to predict
        (code, _, stderr) = await CliRunner.Run("eval", "run", "--bench", bench, "--out", dir.Combine("a"), "--endpoint", server.OpenAiEndpoint.ToString(), "--model", "fake-ehr-r1", "--no-plots");
        code.Should().Be(0, stderr);
        server.RequestCount.Should().Be(6);

        (code, _, stderr) = await CliRunner.Run("eval", "score", "--bench", bench, "--predictions", dir.Combine("a", "predictions.jsonl"), "--out", dir.Combine("b"), "--model-name", "rescored", "--no-plots");
        code.Should().Be(0, stderr);

        (code, stdout, stderr) = await CliRunner.Run("eval", "compare", dir.Combine("a", "result.json"), dir.Combine("b", "result.json"), "--out", dir.Combine("c"));
        code.Should().Be(0, stderr);
        var comparison = File.ReadAllText(dir.Combine("c", "comparison.md"));
        comparison.Should().Contain("| task | family | metric | fake-ehr-r1 | rescored |");
        File.Exists(dir.Combine("c", "comparison-primary.png")).Should().BeTrue();
        File.Exists(dir.Combine("c", "plots", "roc-ICU_Mortality_1day.svg")).Should().BeTrue();
    }

    [Fact]
    public async Task Should_ExitWithBadInput_When_PredictionsFileIsMissing()
    {
        using var dir = new TempDirectory();
        var (code, stdout, stderr) = await CliRunner.Run("eval", "score", "--bench", TestPaths.TestData("evaluation", "mini-bench.jsonl"), "--out", dir.Combine("x"));
        code.Should().Be(1);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("error [EHR-EVAL-011]").And.Contain("predictions.jsonl");
    }

    [Fact]
    public async Task Should_RefuseOneFile_When_Comparing()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = await CliRunner.Run("eval", "compare", dir.Combine("a.json"), "--out", dir.Combine("c"));
        code.Should().Be(1);
        stderr.Should().Contain("two or more");
    }
}
