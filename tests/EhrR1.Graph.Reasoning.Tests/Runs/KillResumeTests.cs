using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Reasoning.Endpoints.Loopback;
using EhrR1.Graph.Reasoning.Synthesis;
using EhrR1.Graph.Reasoning.Tests.Support;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reasoning.Tests.Runs;

public sealed class KillResumeTests
{
    private static string HostDll()
    {
        var config = AppContext.BaseDirectory.Contains(Path.DirectorySeparatorChar + "Release" + Path.DirectorySeparatorChar, StringComparison.Ordinal) ? "Release" : "Debug";
        var path = Path.Combine(TestPaths.RepoRoot, "tests", "EhrR1.Graph.Reasoning.TestHost", "bin", config, "net10.0", "EhrR1.Graph.Reasoning.TestHost.dll");
        File.Exists(path).Should().BeTrue("the test host is built with the test project: " + path);
        return path;
    }

    private static Process Start(string samples, string outDir, Uri endpoint) =>
        Process.Start(new ProcessStartInfo("dotnet")
        {
            ArgumentList = { HostDll(), samples, outDir, endpoint.AbsoluteUri, "8" },
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        })!;

    private static int CountLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        try
        {
            // The child takes an exclusive lock for a moment while it repairs a torn tail on start.
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            var n = 0;
            int b;
            while ((b = s.ReadByte()) >= 0)
            {
                n += b == '\n' ? 1 : 0;
            }

            return n;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    [Fact]
    public async Task Should_LoseAndDuplicateNothing_When_ProcessIsKilledTwiceMidRun()
    {
        const int total = 600;
        using var dir = new TempDirectory();
        var samples = dir.Combine("samples.jsonl");
        await File.WriteAllLinesAsync(samples, Enumerable.Range(0, total).Select(i => JsonSerializer.Serialize(new
        {
            idx = i,
            sample_id = "labevents:" + i.ToString(CultureInfo.InvariantCulture) + ":1",
            instruction = "Which tests?",
            input = "## Lab [2150-01-01 00:00]\nvalue " + i.ToString(CultureInfo.InvariantCulture),
            output = "A",
            candidates = new[] { "A" },
            task_info = new { task = "labevents", task_type = "decision_making", label = new[] { "A" } },
        })));
        await using var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, FakeChains.Good, TimeSpan.FromMilliseconds(40)), recordStartTimes: false);
        var outDir = dir.Combine("out");
        var results = Path.Combine(outDir, ReasoningSettings.ResultsFile);

        foreach (var killAt in new[] { 120, 330 })
        {
            using var p = Start(samples, outDir, server.OpenAiEndpoint);
            var clock = Stopwatch.StartNew();
            while (CountLines(results) < killAt && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                await Task.Delay(20);
            }

            p.HasExited.Should().BeFalse("the run must still be going when it is killed");
            p.Kill(entireProcessTree: true); // SIGKILL on Linux
            await p.WaitForExitAsync();
        }

        using (var final = Start(samples, outDir, server.OpenAiEndpoint))
        {
            await final.WaitForExitAsync();
            final.ExitCode.Should().Be(0, await final.StandardError.ReadToEndAsync());
        }

        var ids = File.ReadAllLines(results).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sample_id").GetString()!).ToList();
        var lost = total - ids.Distinct(StringComparer.Ordinal).Count();
        var duplicated = ids.Count - ids.Distinct(StringComparer.Ordinal).Count();
        lost.Should().Be(0);
        duplicated.Should().Be(0);
        server.RequestCount.Should().BeGreaterThanOrEqualTo(total);
    }
}
