using System.Text.Json;
using System.Text.Json.Nodes;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Export;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Tests.Support;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Rendering;

namespace EhrR1.Graph.Tasks.Tests.Export;

public sealed class SampleExporterTests
{
    private static readonly string[] Chosen =
    [
        "labevents:1:11", "diagnoses_icd:1:9", "Readmission_30day:1:8", "medrecon:2:3", "ED_Hospitalization:2:1", "next_event:4:5",
    ];

    private static async Task<(string Bench, string Ins, TempDirectory Temp)> ExportAsync(int workers = 1, int chunkSize = 8192, InstructionStyle instructions = InstructionStyle.Corrected, IReadOnlyList<string>? chosen = null)
    {
        var temp = new TempDirectory();
        using var store = new InMemoryTrajectoryStore(Fixtures.All());
        var index = temp.Combine("index");
        await new TaskIndexBuilder().RunAsync(store, new TaskIndexSettings { StorePath = "fixtures", OutputDirectory = index }, null, CancellationToken.None);
        var lines = Directory.GetFiles(index, "*.jsonl").Where(f => !f.EndsWith("labels.jsonl", StringComparison.Ordinal))
            .SelectMany(File.ReadLines)
            .ToDictionary(l => JsonSerializer.Deserialize<TaskIndexRow>(l)!.SampleId, l => l, StringComparer.Ordinal);
        var samples = temp.Combine("samples.jsonl");
        File.WriteAllLines(samples, (chosen ?? Chosen).Select(id => lines[id]));
        foreach (var (format, name) in new[] { (ExportFormat.EhrBench, "bench.jsonl"), (ExportFormat.EhrIns, "ins.jsonl") })
        {
            await new SampleExporter().RunAsync(store, EventRenderer.Render, new ExportSettings
            {
                SamplesFile = samples,
                StorePath = "fixtures",
                IndexDirectory = index,
                Format = format,
                OutputFile = Path.Combine(temp.Combine("out"), name), // a folder that does not exist yet
                MaxCandidates = 5,
                Workers = workers,
                ChunkSize = chunkSize,
                Instructions = instructions,
            }, null, CancellationToken.None);
        }

        return (File.ReadAllText(Path.Combine(temp.Combine("out"), "bench.jsonl")), File.ReadAllText(Path.Combine(temp.Combine("out"), "ins.jsonl")), temp);
    }

    [Fact]
    public async Task Should_MatchTheGoldenRecords_When_FixtureSamplesAreExported()
    {
        var (bench, ins, temp) = await ExportAsync();
        using (temp)
        {
            Golden.AssertMatches(bench, "tasks/fixture.ehr-bench.expected.jsonl");
            Golden.AssertMatches(ins, "tasks/fixture.ehr-ins.expected.jsonl");
        }
    }

    [Theory]
    [InlineData(4, 8192)]
    [InlineData(3, 2)]
    public async Task Should_WriteTheSameBytes_When_PatientsAreExportedInParallel(int workers, int chunkSize)
    {
        var (bench, ins, temp) = await ExportAsync();
        var (parallelBench, parallelIns, parallelTemp) = await ExportAsync(workers, chunkSize);
        using (temp)
        using (parallelTemp)
        {
            parallelBench.Should().Be(bench);
            parallelIns.Should().Be(ins);
        }
    }

    [Fact]
    public async Task Should_HideBidEventsAndAdmissionEventsButShowTheAdmissionRecord_When_RenderingInputs()
    {
        var (bench, _, temp) = await ExportAsync();
        using (temp)
        {
            var records = bench.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).ToDictionary(n => (string)n["sample_id"]!);

            var dx = (string)records["diagnoses_icd:1:9"]!["input"]!;
            dx.Should().StartWith("## Patient Demographics [None]\n");
            dx.Should().Contain("## Admissions [2180-01-01 08:00:00]").And.Contain("## Transfers [2180-01-01 11:00:00]").And.NotContain("Discharge");
            dx.Should().NotContain("\n\n\n", "empty parts are skipped");

            var labs = (string)records["labevents:1:11"]!["input"]!;
            labs.Should().Contain("## Discharge [2180-01-01 20:00:00]", "the last discharge of another admission is shown");
            labs.IndexOf("## Admissions [2180-01-20", StringComparison.Ordinal).Should().BeGreaterThan(labs.IndexOf("## Discharge", StringComparison.Ordinal));

            records["ED_Hospitalization:2:1"]!["candidates"]!.AsArray().Select(c => (string)c!).Should().Equal("yes", "no");
            ((string)records["ED_Hospitalization:2:1"]!["output"]!).Should().Be("yes");
            ((string)records["ED_Hospitalization:2:1"]!["input"]!).Should().NotContain("## Admissions", "the admission the task predicts is not shown");
            var medrecon = records["medrecon:2:3"]!;
            medrecon["candidates"]!.AsArray().Select(c => (string)c!).Should().Contain(["Aspirin", "Lisinopril"]);
            ((string)medrecon["task_info"]!["target"]!).Should().Be("[\"Aspirin\", \"Lisinopril\"]");
            ((long)records["labevents:1:11"]!["idx"]!).Should().Be(0);
        }
    }

    [Fact]
    public async Task Should_WriteUpstreamsInstructionText_When_UpstreamInstructionsAreAsked()
    {
        var (bench, ins, temp) = await ExportAsync(instructions: InstructionStyle.Upstream);
        using (temp)
        {
            const string Upstream = "Given the sequence of events that have occurred in a hospital, please predict whether the patient will be readmitted to the hospital within 30 days";
            var record = bench.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!).Single(n => (string)n["sample_id"]! == "Readmission_30day:1:8");
            ((string)record["instruction"]!).Should().Be(Upstream);
            ((string)record["task_info"]!["instruction"]!).Should().Be(Upstream);
            ins.Should().Contain(Upstream + "/no_think");
            File.ReadAllText(Path.Combine(temp.Combine("out"), "bench.jsonl.manifest.json")).Should().Contain("\"instructions\": \"upstream\"");
        }

        var (corrected, _, temp2) = await ExportAsync();
        using (temp2)
        {
            corrected.Should().Contain(TaskCatalog.ByName["Readmission_30day"].Instruction).And.NotContain("readmitted to the hospital within 30 days\"");
        }
    }

    [Theory] // Reproduces #22 (point 4)
    [InlineData(InstructionStyle.Corrected, "careunit", "label", "item_name")]
    [InlineData(InstructionStyle.Upstream, "eventtype", null, "item_name")]
    public async Task Should_WriteTheTaskTablesTargetKey_When_InstructionsOfAStyleAreAsked(InstructionStyle style, string transfers, string? risk, string labs)
    {
        // Given / When
        var (bench, _, temp) = await ExportAsync(instructions: style, chosen: ["transfers:1:6", "ED_Hospitalization:2:1", "labevents:1:11"]);
        using (temp)
        {
            var keys = bench.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonNode.Parse(l)!)
                .ToDictionary(n => (string)n["sample_id"]!, n => n["task_info"]!["target_key"], StringComparer.Ordinal);

            // Then: upstream's task table says eventtype for transfers and None for the risk tasks; the labels are the same
            ((string?)keys["transfers:1:6"]).Should().Be(transfers);
            ((string?)keys["ED_Hospitalization:2:1"]).Should().Be(risk);
            ((string?)keys["labevents:1:11"]).Should().Be(labs);
            bench.Should().Contain("\"output\":\"Medicine\\ntransfer\"");
        }
    }

    [Fact]
    public async Task Should_WriteChatMessagesWithoutThinking_When_FormatIsEhrIns()
    {
        var (_, ins, temp) = await ExportAsync();
        using (temp)
        {
            var first = JsonNode.Parse(ins.Split('\n')[0])!;
            var messages = first["messages"]!.AsArray();
            messages.Select(m => (string)m!["role"]!).Should().Equal("system", "user", "assistant");
            ((string)messages[0]!["content"]!).Should().Be("You are a helpful assistant.");
            ((string)messages[1]!["content"]!).Should().EndWith("\nGiven the sequence of events that have occurred in a hospital, please give the next Labotary Test Events suggestion for the patients./no_think");
            ((string)messages[2]!["content"]!).Should().Be("<think>\n\n</think>\n\nGlucose");
        }
    }

    [Fact]
    public async Task Should_NameTheLine_When_ASampleSubjectIsMissingFromTheStore()
    {
        using var temp = new TempDirectory();
        using var store = new InMemoryTrajectoryStore(Fixtures.All());
        var samples = temp.Combine("samples.jsonl");
        File.WriteAllText(samples, "{\"sample_id\":\"omr:99:3\",\"subject_id\":99,\"hadm_id\":null,\"task\":\"omr\",\"event\":\"omr\",\"target_index\":3,\"context_begin\":1,\"context_end\":3,\"admissions_id\":null,\"last_discharge_id\":null,\"target\":[\"BMI\"],\"target_weight\":1}\n");

        var act = () => new SampleExporter().RunAsync(store, EventRenderer.Render, new ExportSettings { SamplesFile = samples, StorePath = "s", Format = ExportFormat.EhrBench, OutputFile = temp.Combine("out.jsonl") }, null, CancellationToken.None);

        (await act.Should().ThrowAsync<InputDataException>()).Which.Message.Should().StartWith(samples + ":1 (field \"subject_id\"): the subject is not in the trajectory store");
        File.Exists(temp.Combine("out.jsonl")).Should().BeFalse();
    }
}
