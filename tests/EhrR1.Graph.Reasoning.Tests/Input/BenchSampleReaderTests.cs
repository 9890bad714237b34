using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Reasoning.Input;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reasoning.Tests.Input;

public sealed class BenchSampleReaderTests
{
    [Fact]
    public async Task Should_ReadLabelsTaskAndIds_When_TasksExportRecords()
    {
        var list = new List<ReasoningSample>();
        await foreach (var s in BenchSampleReader.ReadAsync(TestPaths.TestData("reasoning", "samples.jsonl"), CancellationToken.None))
        {
            list.Add(s);
        }

        list.Should().HaveCount(6);
        list[0].SampleId.Should().Be("labevents:1001:7");
        list[0].Labels.Should().Equal("Creatinine", "Potassium");
        list[0].LabelIsString.Should().BeFalse();
        list[1].Labels.Should().Equal("yes");
        list[1].LabelIsString.Should().BeTrue("a string target is one label, not a list of characters");
        list[1].TaskType.Should().Be("risk_prediction");
    }

    [Fact]
    public async Task Should_DeriveStableIds_When_ReleasedFormatHasNoSampleId()
    {
        var first = new List<string>();
        var second = new List<string>();
        await foreach (var s in BenchSampleReader.ReadAsync(TestPaths.TestData("reasoning", "released.jsonl"), CancellationToken.None))
        {
            first.Add(s.SampleId);
        }

        await foreach (var s in BenchSampleReader.ReadAsync(TestPaths.TestData("reasoning", "released.jsonl"), CancellationToken.None))
        {
            second.Add(s.SampleId);
        }

        first.Should().Equal(second);
        first[0].Should().MatchRegex("^labevents:idx0:[0-9a-f]{12}$");
        first.Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public void Should_ParseJsonListTarget_When_LabelIsMissing()
    {
        using var doc = System.Text.Json.JsonDocument.Parse("{\"instruction\":\"q\",\"input\":\"x\",\"task_info\":{\"task\":\"t\",\"target\":\"[\\\"A\\\", \\\"B\\\"]\"}}");

        var s = BenchSampleReader.Parse("f.jsonl", 1, doc.RootElement);

        s.Labels.Should().Equal("A", "B");
    }

    [Fact]
    public async Task Should_NameFileLineAndField_When_InputIsMissing()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("bad.jsonl");
        await File.WriteAllTextAsync(path, "{\"instruction\":\"q\",\"input\":\"x\",\"task_info\":{\"label\":[\"a\"]}}\n{\"instruction\":\"q\",\"task_info\":{\"label\":[\"a\"]}}\n");

        var act = async () =>
        {
            await foreach (var _ in BenchSampleReader.ReadAsync(path, CancellationToken.None))
            {
            }
        };

        var ex = (await act.Should().ThrowAsync<InputDataException>()).Which;
        ex.LineNumber.Should().Be(2);
        ex.Field.Should().Be("input");
    }
}
