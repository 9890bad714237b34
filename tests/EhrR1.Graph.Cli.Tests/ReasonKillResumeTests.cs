using System.Diagnostics;
using System.Globalization;
using System.Text;
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

    private static string CliDll()
    {
        // The CLI is a project reference of this test project: its dll, deps and runtimeconfig sit beside ours.
        var path = Path.Combine(AppContext.BaseDirectory, "ehr-graph.dll");
        File.Exists(path).Should().BeTrue("the CLI is built with the test project: " + path);
        return path;
    }

    private static Process StartReason(string samples, string outDir, Uri endpoint, string client, StringBuilder log)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { CliDll(), "reason", "--samples", samples, "--out", outDir, "--prompt", "without-graph", "--n", "1", "--endpoint", endpoint.AbsoluteUri, "--concurrency", "4", "--client", client })
        {
            start.ArgumentList.Add(a);
        }

        // Only what this run needs: no provider, key or client settings of the person running the tests.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("EHRR1_LLM_", StringComparison.Ordinal) || k.StartsWith("AZURE_OPENAI_", StringComparison.Ordinal) || k.StartsWith("OPENAI_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        start.Environment["EHRR1_LLM_PROVIDER"] = "openai";
        start.Environment["EHRR1_LLM_API_KEY"] = "test-key";
        var process = Process.Start(start)!;
        // Drain both pipes so that a full pipe never blocks the child.
        process.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static int CountLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        try
        {
            // The child takes an exclusive lock for a moment while it repairs a torn tail on start.
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
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

    [Theory]
    [InlineData("http")]
    [InlineData("sdk")]
    public async Task Should_LoseAndDuplicateNothing_When_CliIsKilledTwiceMidRun(string client)
    {
        using var dir = new TempDirectory();
        var samples = dir.Combine("samples.jsonl");
        await File.WriteAllLinesAsync(samples, Enumerable.Range(0, Total).Select(i => JsonSerializer.Serialize(new
        {
            idx = i,
            sample_id = "labevents:" + i.ToString(CultureInfo.InvariantCulture) + ":1",
            instruction = "Which tests?",
            input = "## Lab [2150-01-01 00:00]\nvalue " + i.ToString(CultureInfo.InvariantCulture),
            output = "A",
            candidates = new[] { "A" },
            task_info = new { task = "labevents", task_type = "decision_making", label = new[] { "A" } },
        })));
        const string chain = "## Extraction\n**Lab [2150-01-01 00:00]**: value\n\n## Reasoning\nThe value points to A.\n\n## Final Results\nA";
        // 4 in flight × 100 ms latency = ~40 samples/s: each run lasts seconds, so a test process slowed down by a
        // loaded machine still kills it mid-run.
        await using var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, (_, _) => chain, TimeSpan.FromMilliseconds(100)), recordStartTimes: false);
        var outDir = dir.Combine("out");
        var results = Path.Combine(outDir, "reasoning.jsonl");
        var log = new StringBuilder();

        var kills = 0;
        foreach (var killAt in new[] { 80, 220 })
        {
            using var p = StartReason(samples, outDir, server.OpenAiEndpoint, client, log);
            var clock = Stopwatch.StartNew();
            while (CountLines(results) < killAt && !p.HasExited && clock.Elapsed < TimeSpan.FromSeconds(120))
            {
                await Task.Delay(10);
            }

            p.HasExited.Should().BeFalse("the run must still be going when it is killed (exit code " + (p.HasExited ? p.ExitCode.ToString(CultureInfo.InvariantCulture) : "-") + "); output:\n" + log);
            p.Kill(entireProcessTree: true); // SIGKILL on Linux
            await p.WaitForExitAsync();
            kills++;
            CountLines(results).Should().BeLessThan(Total, "the kill came before the end");
        }

        using (var final = StartReason(samples, outDir, server.OpenAiEndpoint, client, log))
        {
            (await Task.WhenAny(final.WaitForExitAsync(), Task.Delay(TimeSpan.FromMinutes(3)))).Should().NotBeNull();
            final.HasExited.Should().BeTrue("the resumed run finishes; output:\n" + log);
            final.ExitCode.Should().Be(0, log.ToString());
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
