using System.Text.Json;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Reasoning.Filtering;
using EhrR1.Graph.Reasoning.Synthesis;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reasoning.Tests.Filtering;

public sealed class ReasoningFilterTests
{
    private const string Good = "## Extraction\n**Lab [t]**: x\n## Reasoning\ny\n## Final Results\n";

    private static ReasoningRecord Record(string id, string task, string[] labels, params string[] chains) => new()
    {
        SampleId = id,
        Task = task,
        PromptId = "reasoning-with-graph@v1",
        Model = "gpt-4o",
        Labels = labels,
        Chains = chains,
        FinishReasons = chains.Select(_ => (string?)"stop").ToList(),
    };

    private static void WriteResults(string path, IEnumerable<ReasoningRecord> records) =>
        File.WriteAllLines(path, records.Select(r => JsonSerializer.Serialize(r, JsonDefaults.Jsonl)));

    [Fact]
    public async Task Should_KeepPassingChainsAndRecordRejects_When_Filtering()
    {
        using var dir = new TempDirectory();
        WriteResults(dir.Combine("r.jsonl"),
        [
            Record("a", "labevents", ["A", "B"], Good + "A\nB", Good + "A", "As ground truth says " + Good + "A\nB"),
            Record("b", "labevents", ["C"], Good + "D"),
            Record("c", "discharge", ["E"], Good + "E"),
        ]);
        var settings = new FilterSettings { ResultsPath = dir.Combine("r.jsonl"), OutputPath = dir.Combine("f.jsonl") };

        var report = await ReasoningFilter.RunAsync(settings, null, CancellationToken.None);

        var kept = File.ReadAllLines(dir.Combine("f.jsonl")).Select(l => JsonSerializer.Deserialize<FilteredRecord>(l)!).ToList();
        kept.Should().ContainSingle().Which.ChainIndices.Should().Equal(0);
        report.Counts["chains_rejected"].Should().Be(3);
        report.Counts["reject_low_label_coverage"].Should().Be(2);
        report.Counts["reject_leak_phrase"].Should().Be(1);
        report.Counts["excluded_task"].Should().Be(1);
        report.Counts["samples_rejected"].Should().Be(1);
        var rejects = File.ReadAllText(settings.RejectsPath);
        rejects.Should().NotContain("ground truth says", "rejects carry reasons, never text");
        rejects.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(3);
    }

    [Fact]
    public async Task Should_ChooseSameSubsetRegardlessOfOrder_When_MaxSamplesIsSet()
    {
        using var dir = new TempDirectory();
        var records = Enumerable.Range(0, 200).Select(i => Record("s" + i, "labevents", ["A"], Good + "A")).ToList();
        WriteResults(dir.Combine("r1.jsonl"), records);
        WriteResults(dir.Combine("r2.jsonl"), Enumerable.Reverse(records));

        await ReasoningFilter.RunAsync(new FilterSettings { ResultsPath = dir.Combine("r1.jsonl"), OutputPath = dir.Combine("f1.jsonl"), MaxSamples = 150, MultipleOf = 64 }, null, CancellationToken.None);
        await ReasoningFilter.RunAsync(new FilterSettings { ResultsPath = dir.Combine("r2.jsonl"), OutputPath = dir.Combine("f2.jsonl"), MaxSamples = 150, MultipleOf = 64 }, null, CancellationToken.None);
        await ReasoningFilter.RunAsync(new FilterSettings { ResultsPath = dir.Combine("r1.jsonl"), OutputPath = dir.Combine("f3.jsonl"), MaxSamples = 150, MultipleOf = 64, Seed = 7 }, null, CancellationToken.None);

        var ids1 = File.ReadAllLines(dir.Combine("f1.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sample_id").GetString()).ToList();
        var ids2 = File.ReadAllLines(dir.Combine("f2.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sample_id").GetString()).ToList();
        var ids3 = File.ReadAllLines(dir.Combine("f3.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("sample_id").GetString()).ToList();
        ids1.Should().HaveCount(128);
        ids2.Should().BeEquivalentTo(ids1);
        ids3.Should().NotBeEquivalentTo(ids1);
    }
}
