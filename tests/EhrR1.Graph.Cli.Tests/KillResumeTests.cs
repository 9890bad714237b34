using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.TestSupport.Http;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// <c>kill -9</c> of the real CLI (a child process) while a long command is at work, then a plain rerun with the same
/// settings: the rerun finishes, and its outputs lose nothing and repeat nothing against an uninterrupted run.
/// </summary>
[Trait("Category", "Slow")]
public sealed class KillResumeTests
{
    [RequiresTokenizerFact]
    public async Task Train_killed_mid_run_resumes_to_the_same_loss_curve_with_no_step_lost_or_repeated()
    {
        using var dir = new TempDirectory();
        var config = TinyModel.WriteConfig(dir.Combine("tiny.json"));
        var data = dir.Combine("train.jsonl");
        File.WriteAllLines(data, Enumerable.Range(0, 64).Select(i => JsonSerializer.Serialize(new
        {
            sample_id = "lab:" + i.ToString(CultureInfo.InvariantCulture) + ":0",
            messages = new[]
            {
                new { role = "user", content = "Potassium " + (3 + (i % 7 * 0.5)).ToString("0.0", CultureInfo.InvariantCulture) + " mEq/L. Status?" },
                new { role = "assistant", content = i % 7 > 3 ? "Hyperkalemia" : "Normal potassium" },
            },
        })));
        const int Steps = 40;
        string[] Args(string outDir) => ["train", "--data", data, "--model-config", config, "--out", outDir, "--max-steps", Steps.ToString(CultureInfo.InvariantCulture),
            "--save-every", "4", "--batch-size", "2", "--max-length", "64", "--lr", "0.01", "--device", "cpu", "--threads", "1", "--eval-every", "1000"];

        using (var straight = ChildCli.Start(Args(dir.Combine("straight"))))
        {
            (await straight.WaitForExit(TimeSpan.FromMinutes(5))).Should().BeTrue("the uninterrupted run finishes; output:\n" + straight.Log);
            straight.Process.ExitCode.Should().Be(0, straight.Log);
        }

        var outDir = dir.Combine("killed");
        var checkpoints = Path.Combine(outDir, "checkpoints");
        using (var killed = ChildCli.Start(Args(outDir)))
        {
            // A committed checkpoint (step-N; a staging folder is hidden) exists: training is under way.
            var started = await killed.WaitUntil(() => Directory.Exists(checkpoints) && Directory.GetDirectories(checkpoints, "step-*").Length > 0, TimeSpan.FromMinutes(3));
            started.Should().BeTrue("a checkpoint appears; output:\n" + killed.Log);
            killed.Process.HasExited.Should().BeFalse("the run is still going when it is killed; output:\n" + killed.Log);
            await killed.KillHard();
        }

        File.Exists(Path.Combine(outDir, "metrics.jsonl")).Should().BeFalse("the killed run never got to its final outputs");
        using (var rerun = ChildCli.Start(Args(outDir)))
        {
            (await rerun.WaitForExit(TimeSpan.FromMinutes(5))).Should().BeTrue("the rerun finishes; output:\n" + rerun.Log);
            rerun.Process.ExitCode.Should().Be(0, rerun.Log);
            rerun.Log.Should().Contain("Resumed from", "the rerun continues from the checkpoint");
        }

        var expected = StepLines(dir.Combine("straight", "metrics.jsonl"));
        var actual = StepLines(Path.Combine(outDir, "metrics.jsonl"));
        expected.Keys.Should().Equal(Enumerable.Range(1, Steps));
        actual.Keys.Should().Equal(expected.Keys, "every step once: none lost, none repeated");
        actual.Should().Equal(expected, "the resumed run reproduces the loss curve exactly");
        Sha256(Path.Combine(outDir, "model", "model.safetensors")).Should().Be(Sha256(dir.Combine("straight", "model", "model.safetensors")));
        Debris(outDir).Should().BeEmpty("staging folders of the killed run are gone after the rerun");
    }

    [Fact]
    public async Task Eval_run_killed_mid_run_resumes_with_every_prediction_once_and_the_same_scores()
    {
        using var dir = new TempDirectory();
        // 6 mini-bench samples × 20 copies, each copy with its own sample id.
        var bench = dir.Combine("bench.jsonl");
        var lines = File.ReadAllLines(TestPaths.TestData("evaluation", "mini-bench.jsonl"));
        var idx = 0;
        File.WriteAllLines(bench, Enumerable.Range(0, 20).SelectMany(copy => lines.Select(l =>
        {
            var node = System.Text.Json.Nodes.JsonNode.Parse(l)!;
            node["idx"] = idx++;
            node["sample_id"] = node["sample_id"]!.GetValue<string>() + copy.ToString(CultureInfo.InvariantCulture);
            return node.ToJsonString();
        })));
        var total = lines.Length * 20;
        var latency = TimeSpan.FromMilliseconds(200);
        await using var server = new LoopbackChatServer((r, arrival) => LoopbackChatServer.Completion(r, (body, choice) => body.TryGetProperty("top_logprobs", out _) ? "yes" : "Glucose\nSodium", latency), recordStartTimes: false);
        string[] Args(string outDir) => ["eval", "run", "--bench", bench, "--out", outDir, "--endpoint", server.OpenAiEndpoint.AbsoluteUri, "--model", "fake", "--concurrency", "2", "--bootstrap", "50", "--no-plots"];
        var env = new Dictionary<string, string> { ["EHRR1_LLM_PROVIDER"] = "openai", ["EHRR1_LLM_API_KEY"] = "test-key" };

        var outDir = dir.Combine("killed");
        var predictions = Path.Combine(outDir, "predictions.jsonl");
        using (var killed = ChildCli.Start(Args(outDir), env))
        {
            (await killed.WaitUntil(() => ChildCli.CountLines(predictions) >= 10, TimeSpan.FromMinutes(2))).Should().BeTrue("predictions are being written; output:\n" + killed.Log);
            killed.Process.HasExited.Should().BeFalse("the run is still going when it is killed; output:\n" + killed.Log);
            await killed.KillHard();
        }

        ChildCli.CountLines(predictions).Should().BeLessThan(total, "the kill came before the end");
        File.Exists(Path.Combine(outDir, "result.json")).Should().BeFalse("a killed run has no scores");
        latency = TimeSpan.FromMilliseconds(1);
        using (var rerun = ChildCli.Start(Args(outDir), env))
        {
            (await rerun.WaitForExit(TimeSpan.FromMinutes(3))).Should().BeTrue("the rerun finishes; output:\n" + rerun.Log);
            rerun.Process.ExitCode.Should().Be(0, rerun.Log);
        }

        using (var straight = ChildCli.Start(Args(dir.Combine("straight")), env))
        {
            (await straight.WaitForExit(TimeSpan.FromMinutes(3))).Should().BeTrue("the uninterrupted run finishes; output:\n" + straight.Log);
            straight.Process.ExitCode.Should().Be(0, straight.Log);
        }

        var ids = File.ReadAllLines(predictions).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sample_id").GetString()!).ToList();
        var distinct = ids.Distinct(StringComparer.Ordinal).Count();
        (total - distinct).Should().Be(0, "no prediction is lost");
        (ids.Count - distinct).Should().Be(0, "no prediction is written twice");
        File.ReadAllLines(Path.Combine(outDir, "scores.jsonl")).Order(StringComparer.Ordinal)
            .Should().Equal(File.ReadAllLines(dir.Combine("straight", "scores.jsonl")).Order(StringComparer.Ordinal));
        File.ReadAllText(Path.Combine(outDir, "results.md")).Should().Be(File.ReadAllText(dir.Combine("straight", "results.md")));
        Debris(outDir).Should().BeEmpty();
    }

    [RequiresDataFact]
    public async Task Whole_run_killed_mid_pipeline_finishes_on_a_rerun_with_the_outputs_of_an_uninterrupted_run()
    {
        using var dir = new TempDirectory();
        var config = dir.Combine("run.json");
        File.WriteAllText(config, """{"steps": {"train-domain": {"enabled": false}, "eval": {"enabled": false}}}""");
        string[] Args(string runDir) => ["run", "--out", runDir, "--config", config, "--quiet"];

        using (var straight = ChildCli.Start(Args(dir.Combine("straight"))))
        {
            (await straight.WaitForExit(TimeSpan.FromMinutes(10))).Should().BeTrue("the uninterrupted run finishes; output:\n" + straight.Log);
            straight.Process.ExitCode.Should().Be(0, straight.Log);
        }

        var runDir = dir.Combine("killed");
        var state = Path.Combine(runDir, ".state");
        using (var killed = ChildCli.Start(Args(runDir)))
        {
            // Six steps recorded as done: the seventh is at work.
            var busy = await killed.WaitUntil(() => Directory.Exists(state) && Directory.GetFiles(state, "*.json").Length >= 6, TimeSpan.FromMinutes(10));
            busy.Should().BeTrue("the run gets some steps done; output:\n" + killed.Log);
            killed.Process.HasExited.Should().BeFalse("the run is still going when it is killed; output:\n" + killed.Log);
            await killed.KillHard();
        }

        using (var rerun = ChildCli.Start(Args(runDir)))
        {
            (await rerun.WaitForExit(TimeSpan.FromMinutes(10))).Should().BeTrue("the rerun finishes; output:\n" + rerun.Log);
            rerun.Process.ExitCode.Should().Be(0, rerun.Log);
            rerun.Log.Should().Contain("\"up to date\"", "the steps done before the kill are not run again");
        }

        var expected = Hashes(dir.Combine("straight"));
        var actual = Hashes(runDir);
        actual.Keys.Should().Equal(expected.Keys, "the same files, none missing and none extra");
        actual.Where(kv => expected[kv.Key] != kv.Value).Select(kv => kv.Key).Should().BeEmpty("every file has the same bytes");
        Debris(runDir).Should().BeEmpty();
    }

    /// <summary>SHA-256 of each output file by relative path; manifests, the run summary and Lucene's segment info (they record times) are left out, and so are the step records and the report (they name the run folder).</summary>
    private static SortedDictionary<string, string> Hashes(string folder)
    {
        string[] volatileNames = ["run-summary.json"];
        var hashes = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(folder, path).Replace('\\', '/');
            if (relative.StartsWith(".state/", StringComparison.Ordinal) || relative.StartsWith("report/", StringComparison.Ordinal) || IsManifest(path) || IsLuceneSegmentInfo(path) || volatileNames.Contains(Path.GetFileName(path)))
            {
                continue;
            }

            hashes[relative] = Sha256(path);
        }

        return hashes;
    }

    private static bool IsManifest(string path) =>
        Path.GetFileName(path) is var name && name.Contains("manifest", StringComparison.Ordinal) && name.EndsWith(".json", StringComparison.Ordinal);

    // Lucene's segment info files record when they were written; the index's other files are compared.
    private static bool IsLuceneSegmentInfo(string path) =>
        Path.GetFileName(path) is var name && (name.EndsWith(".si", StringComparison.Ordinal) || name.StartsWith("segments", StringComparison.Ordinal));

    private static SortedDictionary<int, string> StepLines(string path)
    {
        var lines = new SortedDictionary<int, string>();
        foreach (var line in File.ReadAllLines(path))
        {
            var step = JsonDocument.Parse(line).RootElement.GetProperty("Step").GetInt32();
            lines.TryAdd(step, line).Should().BeTrue("step {0} is written once", step);
        }

        return lines;
    }

    private static IEnumerable<string> Debris(string folder) =>
        Directory.EnumerateFileSystemEntries(folder, "*", SearchOption.AllDirectories).Where(p => Path.GetFileName(p).Contains(".tmp", StringComparison.Ordinal));

    private static string Sha256(string path) => Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(path)));
}
