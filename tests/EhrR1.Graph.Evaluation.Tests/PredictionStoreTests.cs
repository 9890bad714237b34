using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Evaluation.Predictions;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Evaluation.Tests;

public sealed class PredictionStoreTests
{
    [Fact]
    public async Task Should_TruncateTornLastLine_When_FileEndsWithoutNewline()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("predictions.jsonl");
        await using (var store = await PredictionStore.OpenAsync(path, CancellationToken.None))
        {
            store.Append(new PredictionRecord { SampleId = "t:1:1", Task = "t", Text = "a" });
            store.Append(new PredictionRecord { SampleId = "t:1:2", Task = "t", Text = "b" });
        }

        var good = new FileInfo(path).Length;
        await File.AppendAllTextAsync(path, "{\"sample_id\":\"t:1:3\",\"task\":\"t\",\"te");

        await using (var reopened = await PredictionStore.OpenAsync(path, CancellationToken.None))
        {
            reopened.TornBytesRemoved.Should().Be(Encoding.UTF8.GetByteCount("{\"sample_id\":\"t:1:3\",\"task\":\"t\",\"te"));
            new FileInfo(path).Length.Should().Be(good);
            reopened.Existing.Keys.Should().BeEquivalentTo(["t:1:1", "t:1:2"]);
            reopened.Append(new PredictionRecord { SampleId = "t:1:3", Task = "t", Text = "c" });
        }

        var loaded = await PredictionStore.LoadAsync(path, CancellationToken.None);
        loaded.Keys.Should().BeEquivalentTo(["t:1:1", "t:1:2", "t:1:3"]);
        (await File.ReadAllLinesAsync(path)).Should().HaveCount(3);
    }

    [Fact]
    public async Task Should_EmptyTheFile_When_TheOnlyLineIsTorn()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("p.jsonl");
        await File.WriteAllTextAsync(path, "{\"sample_id\":\"x", new UTF8Encoding(false));
        await using var store = await PredictionStore.OpenAsync(path, CancellationToken.None);
        store.Existing.Should().BeEmpty();
        store.TornBytesRemoved.Should().Be(15);
    }

    [Fact]
    public async Task Should_FailNamingTheLine_When_ACompleteLineInTheMiddleIsCorrupt()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("p.jsonl");
        await File.WriteAllTextAsync(path, "{\"sample_id\":\"a\",\"task\":\"t\",\"text\":\"x\"}\nnot json\n{\"sample_id\":\"b\",\"task\":\"t\",\"text\":\"y\"}\n");
        var act = () => PredictionStore.OpenAsync(path, CancellationToken.None);
        var ex = (await act.Should().ThrowAsync<InputDataException>()).Which;
        ex.LineNumber.Should().Be(2);
    }
}
