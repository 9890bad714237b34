using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Core.Tests;

public sealed class JsonlReaderTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Should_SkipBlankLinesAndKeepPhysicalLineNumbers_When_Reading()
    {
        // Given blank and white-space lines between records, and no newline at the end
        var path = Write("{\"id\":\"a\",\"n\":1}\n\n   \r\n{\"id\":\"b\",\"n\":2}\r\n\t\n{\"id\":\"c\",\"n\":3}");

        // When
        var lines = await ReadAllAsync(path);

        // Then both readers see the same records on the same physical lines
        lines.Select(l => (l.LineNumber, l.Value.Id)).Should().Equal((1L, "a"), (4L, "b"), (6L, "c"));
        JsonlReader.Read<Row>(path).Should().Equal(lines);
    }

    [Fact]
    public async Task Should_NameFileLineAndTypeButNotTheText_When_ALineIsNotARecord()
    {
        // Given a line in the middle that is cut short
        var path = Write("{\"id\":\"a\",\"n\":1}\n\n{\"id\":\"secret-value\",\"n\":\n{\"id\":\"c\",\"n\":3}\n");

        // When / Then
        var sync = () => JsonlReader.Read<Row>(path).ToList();
        var e = sync.Should().Throw<InputDataException>().Which;
        e.Code.Should().Be("EHR-IO-003");
        e.File.Should().Be(path);
        e.LineNumber.Should().Be(3);
        e.Message.Should().Contain(path + ":3").And.Contain(nameof(Row)).And.NotContain("secret-value");

        var async = () => ReadAllAsync(path);
        (await async.Should().ThrowAsync<InputDataException>()).Which.LineNumber.Should().Be(3);
    }

    [Fact]
    public void Should_NameTheLine_When_ALineIsJsonNull()
    {
        var path = Write("{\"id\":\"a\",\"n\":1}\nnull\n");
        var act = () => JsonlReader.Read<Row>(path).ToList();
        var e = act.Should().Throw<InputDataException>().Which;
        e.Code.Should().Be("EHR-IO-004");
        e.LineNumber.Should().Be(2);
    }

    [Fact]
    public void Should_NameTheLine_When_TheBytesAreNotUtf8()
    {
        var path = _dir.Combine("latin1.jsonl");
        File.WriteAllBytes(path, [.. "{\"id\":\"a\",\"n\":1}\n{\"id\":\""u8, 0xE9, .. "\",\"n\":2}\n"u8]);
        var act = () => JsonlReader.Read<Row>(path).ToList();
        var e = act.Should().Throw<InputDataException>().Which;
        e.Code.Should().Be("EHR-IO-002");
        e.File.Should().Be(path);
    }

    [Fact]
    public void Should_SayHowToFixIt_When_TheFileIsMissing()
    {
        var path = _dir.Combine("absent.jsonl");
        var act = () => JsonlReader.Read<Row>(path).ToList();
        var e = act.Should().Throw<InputDataException>().Which;
        e.Code.Should().Be("EHR-IO-001");
        e.Message.Should().Contain(path).And.Contain("run the stage that produces it");
    }

    [Fact]
    public void Should_StopReading_When_Cancelled()
    {
        var path = Write("{\"id\":\"a\",\"n\":1}\n{\"id\":\"b\",\"n\":2}\n");
        using var cts = new CancellationTokenSource();
        var act = () =>
        {
            foreach (var _ in JsonlReader.Read<Row>(path, null, cts.Token))
            {
                cts.Cancel();
            }
        };
        act.Should().Throw<OperationCanceledException>();
    }

    private static async Task<List<JsonlReader.Line<Row>>> ReadAllAsync(string path)
    {
        var lines = new List<JsonlReader.Line<Row>>();
        await foreach (var line in JsonlReader.ReadAsync<Row>(path))
        {
            lines.Add(line);
        }

        return lines;
    }

    private string Write(string text)
    {
        var path = _dir.Combine("data.jsonl");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    public sealed record Row(
        [property: System.Text.Json.Serialization.JsonPropertyName("id")] string Id,
        [property: System.Text.Json.Serialization.JsonPropertyName("n")] int N);
}
