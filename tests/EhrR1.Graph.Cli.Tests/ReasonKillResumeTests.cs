using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.TestSupport.Http;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// The real CLI (<c>dotnet ehr-graph.dll reason</c>, a child process) against the loopback fake endpoint with
/// latency, killed with SIGKILL twice in mid-run and rerun: by sample id, nothing is lost and nothing is written twice.
/// </summary>
[Trait("Category", "Slow")]
public sealed class ReasonKillResumeTests
{
    private const int Total = 400;

    [Theory]
    [InlineData("http")]
    [InlineData("sdk")]
    public async Task Should_LoseAndDuplicateNothing_When_CliIsKilledTwiceMidRun(string client)
    {
        using var dir = new TempDirectory();
        var samples = dir.Combine("samples.jsonl");
        await ReasonChildRuns.WriteSamplesAsync(samples, Total);
        // 4 in flight × 100 ms latency = ~40 samples/s: each run lasts seconds, so a test process slowed down by a
        // loaded machine still kills it mid-run.
        await using var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, (_, _) => ReasonChildRuns.Chain, TimeSpan.FromMilliseconds(100)), recordStartTimes: false);
        var outDir = dir.Combine("out");
        var results = Path.Combine(outDir, "reasoning.jsonl");
        var logs = new List<string>();

        var kills = 0;
        foreach (var killAt in new[] { 80, 220 })
        {
            using var p = ReasonChildRuns.Start(samples, outDir, server.OpenAiEndpoint, client);
            await p.WaitUntil(() => ChildCli.CountLines(results) >= killAt, TimeSpan.FromSeconds(120));
            p.Process.HasExited.Should().BeFalse("the run must still be going when it is killed (exit code " + (p.Process.HasExited ? p.Process.ExitCode.ToString(CultureInfo.InvariantCulture) : "-") + "); output:\n" + p.Log);
            await p.KillHard(); // SIGKILL on Linux
            logs.Add(p.Log);
            kills++;
            ChildCli.CountLines(results).Should().BeLessThan(Total, "the kill came before the end");
        }

        using (var final = ReasonChildRuns.Start(samples, outDir, server.OpenAiEndpoint, client))
        {
            (await final.WaitForExit(TimeSpan.FromMinutes(3))).Should().BeTrue("the resumed run finishes; output:\n" + string.Join("\n", logs) + final.Log);
            final.Process.ExitCode.Should().Be(0, final.Log);
        }

        var ids = File.ReadAllLines(results).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sample_id").GetString()!).ToList();
        var distinct = ids.Distinct(StringComparer.Ordinal).Count();
        var lost = Total - distinct;
        var duplicated = ids.Count - distinct;
        kills.Should().Be(2);
        lost.Should().Be(0);
        duplicated.Should().Be(0);
        server.RequestCount.Should().BeGreaterThanOrEqualTo(Total);
    }
}
