using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Evaluation.Tests;

public sealed class EhrBenchReaderTests
{
    [Fact]
    public async Task Should_ReadFamiliesScoringAndGold_When_ReadingOurFormat()
    {
        var samples = await ReadAll(TestPaths.TestData("evaluation", "mini-bench.jsonl"), includeText: true);
        samples.Should().HaveCount(6);
        samples[0].Should().Match<BenchSample>(s => s.Task == "labevents" && s.Family == TaskFamily.DecisionMaking && s.Scoring == TaskScoring.LabelSet);
        samples[0].Gold.Should().Equal("glucose", "potassium", "sodium");
        samples[0].Input.Should().StartWith("## Patient Demographics");
        samples[2].Scoring.Should().Be(TaskScoring.NextEvent);
        samples[3].Should().Match<BenchSample>(s => s.Family == TaskFamily.RiskPrediction && s.Scoring == TaskScoring.Risk && s.RiskPositive);
        samples[4].RiskPositive.Should().BeFalse();
        samples.Should().OnlyContain(s => !s.SampleIdDerived);
    }

    [Fact]
    public async Task Should_DeriveStableIdsAndInferRisk_When_ReadingReleasedFormat()
    {
        var path = TestPaths.TestData("evaluation", "released-format.jsonl");
        var first = await ReadAll(path, includeText: false);
        var second = await ReadAll(path, includeText: false);
        first.Select(s => s.SampleId).Should().Equal(second.Select(s => s.SampleId));
        first[0].SampleId.Should().MatchRegex("^services:idx17:[0-9a-f]{12}$");
        first[0].Gold.Should().Equal("med");
        first[1].Should().Match<BenchSample>(s => s.SampleId.StartsWith("Readmission_30day:idx18:", StringComparison.Ordinal) && s.Family == TaskFamily.RiskPrediction && !s.RiskPositive);
        first[2].SampleId.Should().MatchRegex("^services:idx2:[0-9a-f]{12}$", "no idx: the line number − 1");
        first[2].Gold.Should().Equal("surg", "med");
        first.Should().OnlyContain(s => s.SampleIdDerived && s.Input.Length == 0);
    }

    [Fact]
    public async Task Should_NameFileLineAndField_When_RiskLabelIsNotYesOrNo()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("bad.jsonl");
        await File.WriteAllLinesAsync(path, [
            """{"sample_id":"a:1:1","input":"x","instruction":"y","output":"yes","task_info":{"task":"a","task_type":"risk_prediction","label":"yes"}}""",
            """{"sample_id":"a:1:2","input":"x","instruction":"y","output":"secret note text","task_info":{"task":"a","task_type":"risk_prediction","label":"secret note text"}}""",
        ]);
        var act = () => ReadAll(path, includeText: false);
        var ex = (await act.Should().ThrowAsync<InputDataException>()).Which;
        ex.Message.Should().Be(path + ":2 (field \"task_info.label\"): a risk task's label is not yes or no. Expected \"yes\" or \"no\". Found 1 line(s).");
        ex.Message.Should().NotContain("secret");
    }

    [Fact]
    public async Task Should_RejectDuplicates_When_TwoRecordsShareASampleId()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("dup.jsonl");
        var line = """{"sample_id":"a:1:1","input":"x","instruction":"y","output":"z","task_info":{"task":"a"}}""";
        await File.WriteAllLinesAsync(path, [line, line]);
        var act = () => ReadAll(path, includeText: false);
        (await act.Should().ThrowAsync<InputDataException>()).Which.Code.Should().Be("EHR-EVAL-006");
    }

    [Fact]
    public async Task Should_ExplainWhatIsMissing_When_TaskNameCannotBeFound()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("notask.jsonl");
        await File.WriteAllLinesAsync(path, ["""{"input":"x","instruction":"y","output":"z","task_info":{"metric":"em"}}"""]);
        var act = () => ReadAll(path, includeText: false);
        var ex = (await act.Should().ThrowAsync<InputDataException>()).Which;
        ex.Code.Should().Be("EHR-EVAL-002");
        ex.Message.Should().Contain("task_info fields: metric");
    }

    private static async Task<List<BenchSample>> ReadAll(string path, bool includeText)
    {
        var list = new List<BenchSample>();
        await foreach (var s in EhrBenchReader.ReadAsync(path, includeText, CancellationToken.None))
        {
            list.Add(s);
        }

        return list;
    }
}
