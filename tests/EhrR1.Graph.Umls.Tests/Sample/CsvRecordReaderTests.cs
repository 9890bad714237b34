using System.IO.Compression;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Sample;

namespace EhrR1.Graph.Umls.Tests.Sample;

public sealed class CsvRecordReaderTests
{
    private static async Task<List<CsvRecord>> ReadAsync(CsvRecordReader reader)
    {
        var records = new List<CsvRecord>();
        await foreach (var r in reader.ReadAsync(CancellationToken.None))
        {
            records.Add(r);
        }

        return records;
    }

    private static string Write(TempDirectory dir, string name, string content, bool gzip = false)
    {
        var path = dir.Combine(name);
        var bytes = Encoding.UTF8.GetBytes(content);
        if (gzip)
        {
            using var fs = File.Create(path);
            using var gz = new GZipStream(fs, CompressionLevel.Fastest);
            gz.Write(bytes);
        }
        else
        {
            File.WriteAllBytes(path, bytes);
        }

        return path;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Should_ReadQuotedFieldsWithTheirStartLines_When_FieldsHoldSeparatorsQuotesAndLineBreaks(bool gzip)
    {
        using var dir = new TempDirectory();
        var path = Write(dir, gzip ? "t.csv.gz" : "t.csv", "\uFEFFid,name\n1,\"a, b\"\n\n2,\"say \"\"hi\"\"\"\n3,\"two\r\nlines\"\n4,\n", gzip);

        var records = await ReadAsync(new CsvRecordReader(path, required: ["id", "name"]));

        records.Select(r => r.Line).Should().Equal(2, 4, 5, 7);
        records.Select(r => r["name"]).Should().Equal("a, b", "say \"hi\"", "two\r\nlines", string.Empty);
        records[0].File.Should().Be(Path.GetFileName(path));
    }

    [Fact]
    public async Task Should_ReadTabSeparatedAndHeaderlessFiles()
    {
        using var dir = new TempDirectory();
        var tsv = Write(dir, "t.tsv", "x\ty\n\"a\tb\"\tc\n");
        var bare = Write(dir, "bare.tsv", "1\t2\n3\t4\n");

        (await ReadAsync(new CsvRecordReader(tsv, '\t'))).Single()["x"].Should().Be("a\tb");
        (await ReadAsync(new CsvRecordReader(bare, '\t', columns: ["p", "q"]))).Select(r => r["q"]).Should().Equal("2", "4");
    }

    [Fact]
    public async Task Should_ReadMixedSingleAndDoubleQuotes_When_SingleQuotesAreOn()
    {
        using var dir = new TempDirectory();
        var path = Write(dir, "ccs.csv", "NOTE: a line before the header\r\n'CODE','NAME','DESC'\r\n'0101 ','1  ',\"IT'S, QUOTED\"\r\n");

        var record = (await ReadAsync(new CsvRecordReader(path, skipLines: 1, singleQuotes: true))).Single();

        record.Line.Should().Be(3);
        record["CODE"].Should().Be("0101 ");
        record["DESC"].Should().Be("IT'S, QUOTED");
    }

    [Fact]
    public async Task Should_NameFileLineAndColumn_When_InputIsBad()
    {
        using var dir = new TempDirectory();
        var missing = Write(dir, "missing.csv", "id,nom\n1,x\n");
        var count = Write(dir, "count.csv", "id,name\n1,\"x\ny\"\n2\n");
        var open = Write(dir, "open.csv", "id,name\n1,x\n2,\"never closed\n3,y\n");
        var after = Write(dir, "after.csv", "id,name\n1,\"x\"SECRET\n");

        var ex = (await FluentActions.Awaiting(() => ReadAsync(new CsvRecordReader(missing, required: ["id", "name"]))).Should().ThrowAsync<InputDataException>()).Which;
        (ex.Code, ex.File, ex.LineNumber, ex.Field).Should().Be(("EHR-UMLS-012", "missing.csv", 1L, "name"));

        ex = (await FluentActions.Awaiting(() => ReadAsync(new CsvRecordReader(count))).Should().ThrowAsync<InputDataException>()).Which;
        (ex.Code, ex.LineNumber).Should().Be(("EHR-UMLS-011", 4L));

        ex = (await FluentActions.Awaiting(() => ReadAsync(new CsvRecordReader(open))).Should().ThrowAsync<InputDataException>()).Which;
        (ex.Code, ex.LineNumber).Should().Be(("EHR-UMLS-010", 3L));

        ex = (await FluentActions.Awaiting(() => ReadAsync(new CsvRecordReader(after))).Should().ThrowAsync<InputDataException>()).Which;
        (ex.Code, ex.LineNumber, ex.Field).Should().Be(("EHR-UMLS-014", 2L, "name"));
        ex.Message.Should().NotContain("SECRET");
    }
}
