using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// A real full disk: a 2 MB tmpfs mounted for the test (Linux, as root) as the output folder of a stage whose
/// output is larger. The stage ends with exit code 1 and one line naming the path and the full disk, and leaves no
/// partial output file behind.
/// </summary>
public sealed class DiskFullTests
{
    [RequiresTmpfsFact]
    public async Task Reason_prepare_into_a_full_disk_is_exit_1_with_one_line_and_no_partial_output()
    {
        using var dir = new TempDirectory();
        var samples = dir.Combine("samples.jsonl");
        var filler = new string('x', 1500);
        await File.WriteAllLinesAsync(samples, Enumerable.Range(0, 3000).Select(i => JsonSerializer.Serialize(new
        {
            idx = i,
            sample_id = "labevents:" + i.ToString(CultureInfo.InvariantCulture) + ":1",
            instruction = "Which tests?",
            input = "## Lab [2150-01-01 00:00]\nvalue " + filler,
            output = "A",
            candidates = new[] { "A" },
            task_info = new { task = "labevents", task_type = "decision_making", label = new[] { "A" } },
        })));
        var mount = dir.Combine("small-disk");
        Directory.CreateDirectory(mount);
        Mount(mount);
        try
        {
            var outDir = Path.Combine(mount, "out");
            var (code, stdout, stderr) = await CliRunner.Run("reason", "--samples", samples, "--out", outDir, "--prompt", "without-graph", "--n", "1", "--prepare-only", "--quiet");

            code.Should().Be(1, stderr);
            stdout.Should().BeEmpty();
            var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
            lines.Should().ContainSingle(stderr);
            lines[0].Should().Contain("EHR-ENV-001").And.Contain("disk is full").And.Contain(mount);
            lines[0].Should().ContainEquivalentOf("no space");
            // What stays is complete: nothing half-written, no staging file, and no batch request file at all.
            var left = Directory.Exists(outDir) ? Directory.GetFiles(outDir, "*", SearchOption.AllDirectories) : [];
            left.Should().NotContain(f => Path.GetFileName(f).Contains(".tmp", StringComparison.Ordinal));
            left.Should().NotContain(f => Path.GetFileName(f).StartsWith("requests-", StringComparison.Ordinal));
        }
        finally
        {
            Run("umount", mount).Should().Be(0, "the test's tmpfs is unmounted");
        }
    }

    [RequiresTmpfsFact]
    public async Task Reason_online_into_a_full_disk_stops_with_one_line_instead_of_hanging()
    {
        using var dir = new TempDirectory();
        var samples = dir.Combine("samples.jsonl");
        await ReasonChildRuns.WriteSamplesAsync(samples, 2000);
        // long answers: 2,000 records of about 3 KB each overflow the 2 MB disk part way through the run
        var chain = "## Extraction\n" + new string('x', 3000) + "\n\n## Final Results\nA";
        await using var server = new EhrR1.Graph.TestSupport.Http.LoopbackChatServer((r, _) => EhrR1.Graph.TestSupport.Http.LoopbackChatServer.Completion(r, (_, _) => chain), recordStartTimes: false);
        var mount = dir.Combine("small-disk");
        Directory.CreateDirectory(mount);
        Mount(mount);
        try
        {
            var outDir = Path.Combine(mount, "out");
            using var child = ReasonChildRuns.Start(samples, outDir, server.OpenAiEndpoint, "http");
            (await child.WaitForExit(TimeSpan.FromMinutes(3))).Should().BeTrue("a full disk must stop the run, not hang it; output:\n" + child.Log);

            child.Process.ExitCode.Should().Be(1, child.Log);
            var errors = child.Log.Split('\n').Where(l => l.Contains(" error ", StringComparison.Ordinal) || l.Contains("EHR-", StringComparison.Ordinal)).ToList();
            errors.Should().Contain(l => l.Contains("EHR-ENV-001", StringComparison.Ordinal) && l.Contains(mount, StringComparison.Ordinal), child.Log);
            child.Log.Should().NotContain("   at ", "no stack trace for a full disk");
        }
        finally
        {
            Run("umount", mount).Should().Be(0, "the test's tmpfs is unmounted");
        }
    }

    private static void Mount(string folder)
    {
        var code = Run("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", folder);
        code.Should().Be(0, "mounting a 2 MB tmpfs needs root on Linux; run this test as root or leave EHRR1_REQUIRE_INTEGRATION unset to skip it");
    }

    private static int Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        using var p = Process.Start(start)!;
        p.StandardOutput.ReadToEnd();
        p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
