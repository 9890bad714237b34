using System.Text.Json;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Reasoning.Corpus;
using EhrR1.Graph.Reasoning.Filtering;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reasoning.Tests.Corpus;

public sealed class CorpusBuilderTests
{
    [Fact]
    public async Task Should_WriteThinkAndNoThinkRecordsInMessagesForm_When_Building()
    {
        using var dir = new TempDirectory();
        var filtered = dir.Combine("filtered.jsonl");
        await File.WriteAllTextAsync(filtered, JsonSerializer.Serialize(new FilteredRecord("labevents:1001:7", "labevents", "decision_making", "p@v1", "gpt-4o", ["Creatinine", "Potassium"], false, ["CHAIN TEXT"], [0]), JsonDefaults.Jsonl) + "\n");
        var settings = new CorpusSettings { FilteredPath = filtered, SamplesPath = TestPaths.TestData("reasoning", "samples.jsonl"), OutputPath = dir.Combine("corpus.jsonl"), NoThinkRatio = 2 };

        var report = await CorpusBuilder.RunAsync(settings, null, CancellationToken.None);

        var lines = await File.ReadAllLinesAsync(settings.OutputPath);
        lines.Should().HaveCount(3);
        report.Counts["think_records"].Should().Be(1);
        report.Counts["no_think_records"].Should().Be(2);
        var records = lines.Select(l => JsonDocument.Parse(l).RootElement).ToList();
        records.Should().AllSatisfy(r => r.EnumerateObject().Select(p => p.Name).Should().Equal("sample_id", "messages"));
        var think = records.Single(r => r.GetProperty("sample_id").GetString() == "labevents:1001:7").GetProperty("messages");
        think[0].GetProperty("role").GetString().Should().Be("system");
        think[0].GetProperty("content").GetString().Should().Be("You are a helpful assistant.");
        think[1].GetProperty("content").GetString().Should().EndWith("\nWhich laboratory tests will be ordered next? Answer one per line.\n/think").And.StartWith("## Patient Demographics");
        think[2].GetProperty("content").GetString().Should().Be("<think>\nCHAIN TEXT\n</think>\n\nCreatinine\nPotassium");
        var noThink = records.Where(r => r.GetProperty("sample_id").GetString() != "labevents:1001:7").ToList();
        noThink.Should().AllSatisfy(r =>
        {
            r.GetProperty("messages")[1].GetProperty("content").GetString().Should().EndWith("\n/no_think");
            r.GetProperty("messages")[2].GetProperty("content").GetString().Should().StartWith("<think>\n\n</think>\n\n");
            r.GetProperty("sample_id").GetString().Should().NotStartWith("discharge");
        });
    }

    [Fact]
    public async Task Should_BeByteIdentical_When_RunTwiceWithSameSeed()
    {
        using var dir = new TempDirectory();
        var filtered = dir.Combine("filtered.jsonl");
        await File.WriteAllTextAsync(filtered, JsonSerializer.Serialize(new FilteredRecord("prescriptions:1004:5", "prescriptions", "decision_making", "p@v1", "gpt-4o", ["Insulin"], false, ["c0", "c1"], [0, 2]), JsonDefaults.Jsonl) + "\n");
        string Build(string name, int seed)
        {
            CorpusBuilder.RunAsync(new CorpusSettings { FilteredPath = filtered, SamplesPath = TestPaths.TestData("reasoning", "samples.jsonl"), OutputPath = dir.Combine(name), NoThinkRatio = 2, Seed = seed, ChainChoice = "random" }, null, CancellationToken.None).GetAwaiter().GetResult();
            return File.ReadAllText(dir.Combine(name));
        }

        Build("a.jsonl", 42).Should().Be(Build("b.jsonl", 42));
    }
}
