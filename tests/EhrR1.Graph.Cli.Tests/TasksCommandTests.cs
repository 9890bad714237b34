using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>The demo ingested once through <c>ehr-graph ingest</c>, for the <c>tasks</c> command tests.</summary>
public sealed class CliDemoStoreFixture : IDisposable
{
    private readonly Lazy<string> _store;

    public CliDemoStoreFixture()
    {
        _store = new Lazy<string>(() =>
        {
            var store = Dir.Combine("store");
            var (code, _, stderr) = TasksCommandTests.Run("ingest", "--mimic", TestPaths.Dataset("mimic-iv-demo-2.2"), "--out", store).GetAwaiter().GetResult();
            code.Should().Be(0, stderr);
            return store;
        });
    }

    public TempDirectory Dir { get; } = new("ehrr1-cli-tasks-");

    public string Store => _store.Value;

    public void Dispose() => Dir.Dispose();
}

/// <summary>In-process runs of <c>ehr-graph tasks index|sample|export</c> on the demo store, and their bad-input errors.</summary>
public sealed class TasksCommandTests(CliDemoStoreFixture demo) : IClassFixture<CliDemoStoreFixture>
{
    private const string Tasks = "labevents,admissions,LengthOfStay_3day";

    [RequiresDataFact]
    public async Task Should_RenderUpstreamsPandasText_When_RenderIsAskedForUpstreamValues()
    {
        // Given: a lab event of the demo whose whole numbers pandas prints as floats (507 -> 507.0)
        string[] window = ["render", "--store", demo.Store, "--subject", "10012853", "--from", "4", "--to", "5"];

        // When
        var (code, source, stderr) = await Run(window);
        code.Should().Be(0, stderr);
        (code, var upstream, stderr) = await Run([.. window, "--upstream-values"]);
        code.Should().Be(0, stderr);

        // Then: the same table, with tasks export's value text
        source.Should().StartWith("## Labotary Test Events [2175-04-05 06:30:00]").And.Contain("| Fibrinogen, Functional | 507 | mg/dL | 180 | 400 | abnormal | nan |");
        upstream.Should().StartWith("## Labotary Test Events [2175-04-05 06:30:00]").And.Contain("| Fibrinogen, Functional | 507.0 | mg/dL | 180.0 | 400.0 | abnormal | nan |");
        upstream.Split('\n').Should().HaveCount(source.Split('\n').Length);
    }

    [RequiresDataFact]
    public async Task Should_IndexSampleAndExportBothFormats_When_RunFromTheCommandLine()
    {
        // Given
        using var dir = new TempDirectory();
        var index = dir.Combine("index");
        var samples = dir.Combine("samples.jsonl");
        var config = dir.Combine("caps.json");
        await File.WriteAllTextAsync(config, "{\"labevents\": 30, \"admissions\": 20, \"LengthOfStay_3day\": 20}");

        // When
        var (code, stdout, stderr) = await Run("tasks", "index", "--store", demo.Store, "--out", index, "--task", Tasks);
        code.Should().Be(0, stderr);
        using (var report = JsonDocument.Parse(stdout))
        {
            report.RootElement.GetProperty("Counts").GetProperty("instances").GetInt64().Should().BeGreaterThan(1000);
        }

        (code, _, stderr) = await Run("tasks", "sample", "--index", index, "--config", config, "--out", samples, "--test-ratio", "0.5", "--split", "test");
        code.Should().Be(0, stderr);
        var sampled = await File.ReadAllLinesAsync(samples);
        (code, _, stderr) = await Run("tasks", "export", "--samples", samples, "--store", demo.Store, "--format", "ehr-bench", "--out", dir.Combine("bench.jsonl"));
        code.Should().Be(0, stderr);
        (code, _, stderr) = await Run("tasks", "export", "--samples", samples, "--store", demo.Store, "--format", "ehr-ins", "--out", dir.Combine("ins.jsonl"));
        code.Should().Be(0, stderr);
        (code, _, stderr) = await Run("tasks", "export", "--samples", samples, "--store", demo.Store, "--format", "ehr-bench", "--instructions", "upstream", "--upstream-values", "--out", dir.Combine("upstream.jsonl"));
        code.Should().Be(0, stderr);

        // Then
        File.Exists(Path.Combine(index, "labevents.jsonl")).Should().BeTrue();
        File.Exists(Path.Combine(index, "manifest.json")).Should().BeTrue();
        sampled.Length.Should().BeInRange(10, 70);
        var bench = (await File.ReadAllLinesAsync(dir.Combine("bench.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        bench.Should().HaveCount(sampled.Length);
        bench.Select(r => r.GetProperty("idx").GetInt64()).Should().Equal(Enumerable.Range(0, sampled.Length).Select(i => (long)i));
        bench.Should().OnlyContain(r => r.GetProperty("input").GetString()!.StartsWith("## Patient Demographics [", StringComparison.Ordinal)
            && r.GetProperty("candidates").GetArrayLength() >= 2 && r.GetProperty("output").GetString()!.Length > 0);
        var ins = (await File.ReadAllLinesAsync(dir.Combine("ins.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        ins.Should().HaveCount(sampled.Length);
        ins.Should().OnlyContain(r => r.GetProperty("messages").GetArrayLength() == 3
            && r.GetProperty("messages")[2].GetProperty("content").GetString()!.StartsWith("<think>\n\n</think>\n\n", StringComparison.Ordinal));
        ins.Select(r => r.GetProperty("sample_id").GetString()).Should().Equal(bench.Select(r => r.GetProperty("sample_id").GetString()));
        var upstream = (await File.ReadAllLinesAsync(dir.Combine("upstream.jsonl"))).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        upstream.Where(r => r.GetProperty("task_info").GetProperty("task").GetString() == "LengthOfStay_3day").Should().NotBeEmpty()
            .And.OnlyContain(r => r.GetProperty("instruction").GetString() == "Given the sequence of events that have occurred in a hospital, please predict whether the patient's hospital stay will exceed 3 days.");
        upstream.Where(r => r.GetProperty("task_info").GetProperty("task").GetString() == "LengthOfStay_3day")
            .Should().OnlyContain(r => r.GetProperty("task_info").GetProperty("target_key").ValueKind == JsonValueKind.Null, "upstream's task table has no target_key for risk tasks");
        bench.Where(r => r.GetProperty("task_info").GetProperty("task").GetString() == "LengthOfStay_3day")
            .Should().NotBeEmpty().And.OnlyContain(r => r.GetProperty("task_info").GetProperty("target_key").GetString() == "label");
        upstream.Select(r => r.GetProperty("input").GetString()).Should().NotEqual(bench.Select(r => r.GetProperty("input").GetString()), "lab values render as pandas text");
        (await File.ReadAllTextAsync(dir.Combine("upstream.jsonl.manifest.json"))).Should().Contain("\"upstream_values\": \"true\"").And.Contain("\"instructions\": \"upstream\"");
    }

    [RequiresDataFact]
    public async Task Should_ExitOneNamingTheFileAndField_When_TheStoreIsOfAnOldFormat()
    {
        // Given a copy of the store whose schema says format 1
        using var dir = new TempDirectory();
        var store = dir.Combine("old-store");
        Directory.CreateDirectory(store);
        foreach (var f in Directory.EnumerateFiles(demo.Store))
        {
            File.Copy(f, Path.Combine(store, Path.GetFileName(f)));
        }

        var schema = Path.Combine(store, "schema.json");
        await File.WriteAllTextAsync(schema, (await File.ReadAllTextAsync(schema)).Replace("ehrr1-trajectories/3", "ehrr1-trajectories/1", StringComparison.Ordinal));
        var output = dir.Combine("index");

        // When
        var (code, stdout, stderr) = await Run("tasks", "index", "--store", store, "--out", output, "--task", Tasks);

        // Then
        code.Should().Be(1, stderr);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("EHR-STORE-002").And.Contain(schema).And.Contain("(field \"format\")").And.Contain("ehr-graph ingest --force");
        Directory.Exists(output).Should().BeFalse("no partial output");
    }

    [RequiresDataFact]
    public async Task Should_ExitOneNamingFileLineAndField_When_TheSamplingConfigHasABadCap()
    {
        // Given
        using var dir = new TempDirectory();
        var index = dir.Combine("index");
        (await Run("tasks", "index", "--store", demo.Store, "--out", index, "--task", "admissions")).Code.Should().Be(0);
        var config = dir.Combine("caps.json");
        await File.WriteAllTextAsync(config, "{\n  \"admissions\": 10,\n  \"labevents\": \"many\"\n}\n");
        var output = dir.Combine("samples.jsonl");

        // When
        var (code, stdout, stderr) = await Run("tasks", "sample", "--index", index, "--config", config, "--out", output);

        // Then
        code.Should().Be(1, stderr);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("EHR-TSK-012").And.Contain(config + ":3").And.Contain("labevents");
        File.Exists(output).Should().BeFalse("no partial output");
    }

    [RequiresDataFact]
    public async Task Should_ExitOneNamingFileLineAndField_When_ASampleIsNotInTheStore()
    {
        // Given samples whose second line names a subject the store lacks
        using var dir = new TempDirectory();
        var index = dir.Combine("index");
        (await Run("tasks", "index", "--store", demo.Store, "--out", index, "--task", "admissions")).Code.Should().Be(0);
        var lines = (await File.ReadAllLinesAsync(Path.Combine(index, "admissions.jsonl"))).Take(2).ToArray();
        var row = JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(lines[1])!;
        lines[1] = lines[1].Replace("\"subject_id\":" + row["subject_id"].GetRawText(), "\"subject_id\":1", StringComparison.Ordinal);
        lines[1].Should().Contain("\"subject_id\":1,");
        var samples = dir.Combine("samples.jsonl");
        await File.WriteAllLinesAsync(samples, lines);
        var output = dir.Combine("bench.jsonl");

        // When
        var (code, stdout, stderr) = await Run("tasks", "export", "--samples", samples, "--store", demo.Store, "--index", index, "--format", "ehr-bench", "--out", output);

        // Then
        code.Should().Be(1, stderr);
        stdout.Should().BeEmpty();
        stderr.Should().Contain("EHR-TSK-021").And.Contain(samples + ":2").And.Contain("(field \"subject_id\")");
        File.Exists(output).Should().BeFalse("no partial output");
        Directory.EnumerateFiles(dir.Path).Should().NotContain(f => Path.GetFileName(f).StartsWith("bench.jsonl", StringComparison.Ordinal));
    }

    internal static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }
}
