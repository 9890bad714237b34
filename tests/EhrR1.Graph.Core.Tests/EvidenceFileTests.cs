using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Core.Tests;

public sealed class EvidenceFileTests : IDisposable
{
    // A synthetic record in the exact shape `evidence search` writes (names, order, nulls, non-ASCII kept).
    private const string Graph =
        "{\"sample_id\":\"labevents:1:0\",\"task\":\"labevents\",\"status\":\"graph\"," +
        "\"counts\":{\"targets\":1,\"targets_no_cooccurrence\":0,\"pairs\":1,\"pairs_no_cui\":0,\"pairs_no_path\":0,\"pairs_endpoint_filtered\":0,\"paths\":1}," +
        "\"pairs\":[{\"target\":\"insulin\",\"history\":\"diabetes\",\"lift\":2.5,\"target_cui\":\"C0000001\",\"history_cui\":\"C0000002\",\"status\":\"path\",\"explored\":3,\"grade\":\"direct\"}]," +
        "\"paths\":[{\"target\":\"insulin\",\"history\":\"diabetes\",\"nodes\":[{\"cui\":\"C0000001\",\"name\":\"Insulin\",\"kind\":\"Drug\"},{\"cui\":\"C0000002\",\"name\":\"Diabetes\",\"kind\":null}]," +
        "\"hops\":[{\"relation\":\"may_treat\",\"direction\":\"forward\",\"source\":\"MED-RT\",\"reads\":\"forward\",\"note\":null}],\"truncated\":false,\"grade\":\"direct\"}]," +
        "\"rendered\":\"Insulin → may_treat → Diabetes\",\"grade\":\"direct\",\"search\":\"knowledge\"}";

    private const string NoGraph =
        "{\"sample_id\":\"labevents:1:1\",\"task\":\"labevents\",\"status\":\"no_pairs\"," +
        "\"counts\":{\"targets\":2,\"targets_no_cooccurrence\":0,\"pairs\":0,\"pairs_no_cui\":0,\"pairs_no_path\":0,\"pairs_endpoint_filtered\":0,\"paths\":0}," +
        "\"pairs\":[],\"paths\":[],\"rendered\":\"\",\"grade\":null,\"search\":null}";

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Should_WriteTheSameBytes_When_RecordsAreReadAndWrittenAgain()
    {
        // Given
        var text = Graph + "\n" + NoGraph + "\n";
        var path = Write(text);

        // When
        using var copy = new MemoryStream();
        await using (var writer = new EvidenceWriter(copy, leaveOpen: true))
        {
            await foreach (var line in EvidenceFile.ReadAsync(path))
            {
                writer.Write(line.Value);
            }

            writer.Count.Should().Be(2);
        }

        // Then
        Encoding.UTF8.GetString(copy.ToArray()).Should().Be(text);
    }

    [Fact]
    public void Should_SayWhetherARecordHasAGraph_When_Parsed()
    {
        using var graph = JsonDocument.Parse(Graph);
        using var none = JsonDocument.Parse(NoGraph);
        EvidenceFile.Parse(graph.RootElement, "evidence.jsonl").HasGraph.Should().BeTrue();
        EvidenceFile.Parse(none.RootElement, "evidence.jsonl").HasGraph.Should().BeFalse();
        EvidenceStatus.All.Should().OnlyHaveUniqueItems().And.Contain(["graph", "no_pairs", "hub_cap"]);
    }

    [Fact]
    public async Task Should_NameFileLineAndField_When_ARecordLacksAField()
    {
        var path = Write(NoGraph + "\n\n" + NoGraph.Replace(",\"rendered\":\"\"", string.Empty, StringComparison.Ordinal) + "\n");
        var act = () => ReadAllAsync(path);
        var e = (await act.Should().ThrowAsync<InputDataException>()).Which;
        e.Code.Should().Be("EHR-FMT-001");
        e.LineNumber.Should().Be(3);
        e.Field.Should().Be("rendered");
        e.Message.Should().Contain(path + ":3").And.Contain("evidence search");
    }

    [Fact]
    public void Should_RefuseTheRecord_When_ItsStatusIsNotOneTheSearchWrites()
    {
        using var doc = JsonDocument.Parse(NoGraph.Replace("\"no_pairs\"", "\"ok\"", StringComparison.Ordinal));
        var act = () => EvidenceFile.Parse(doc.RootElement, "evidence.jsonl", 7);
        var e = act.Should().Throw<InputDataException>().Which;
        e.Code.Should().Be("EHR-FMT-002");
        e.Field.Should().Be("status");
        e.Message.Should().Contain("evidence.jsonl:7").And.Contain("no_target_concept");
    }

    private static async Task<int> ReadAllAsync(string path)
    {
        var n = 0;
        await foreach (var _ in EvidenceFile.ReadAsync(path))
        {
            n++;
        }

        return n;
    }

    private string Write(string text)
    {
        var path = _dir.Combine("evidence.jsonl");
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }
}
