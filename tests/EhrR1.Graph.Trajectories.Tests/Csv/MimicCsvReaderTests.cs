using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Csv;

namespace EhrR1.Graph.Trajectories.Tests.Csv;

public sealed class MimicCsvReaderTests
{
    private static List<(long Line, string?[] Values)> ReadAll(TempDirectory dir, string content, bool gzip = false, byte[]? bytes = null)
    {
        if (bytes is null)
        {
            MimicFixture.Write(dir.Path, "t", content, gzip);
        }
        else
        {
            MimicFixture.WriteBytes(dir.Path, "t.csv", bytes);
        }

        using var csv = MimicCsvReader.Open(dir.Combine(gzip ? "t.csv.gz" : "t.csv"), "hosp/t.csv");
        var rows = new List<(long, string?[])>();
        while (csv.Read())
        {
            var values = new string?[csv.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = csv.GetString(i);
                csv.IsNull(i).Should().Be(values[i] is null);
            }

            rows.Add((csv.Line, values));
        }

        return rows;
    }

    private static InputDataException Fails(string content)
    {
        using var dir = new TempDirectory();
        var act = () => ReadAll(dir, content);
        return act.Should().Throw<InputDataException>().Which;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Should_UnquoteFieldsAndGiveTheStartLine_When_QuotedFieldsHoldCommasQuotesAndLineBreaks(bool gzip)
    {
        using var dir = new TempDirectory();
        const string content = "\uFEFFa,b,c\n1,\"x, y\",\"say \"\"hi\"\"\"\n2,,\"\"\n3,\"two\nlines\",\"crlf\r\ninside\"\r\n4,é,ab\"c\n";

        var rows = ReadAll(dir, content, gzip);

        rows.Select(r => r.Line).Should().Equal(2, 3, 4, 7);
        rows[0].Values.Should().Equal("1", "x, y", "say \"hi\"");
        rows[1].Values.Should().Equal("2", null, null);
        rows[2].Values.Should().Equal("3", "two\nlines", "crlf\r\ninside");
        rows[3].Values.Should().Equal("4", "é", "ab\"c");
    }

    [Fact]
    public void Should_NameTheHeaderColumns_When_TheFileStartsWithAByteOrderMark()
    {
        using var dir = new TempDirectory();
        MimicFixture.Write(dir.Path, "t", "\uFEFFsubject_id,hadm_id\n1,2\n");
        using var csv = MimicCsvReader.Open(dir.Combine("t.csv"));

        csv.Header.Should().Equal("subject_id", "hadm_id");
    }

    [Fact]
    public void Should_ReportTheStartLine_When_AQuoteIsNeverClosed()
    {
        var ex = Fails("a,b\n1,2\n3,\"open\nmore\n");

        ex.Code.Should().Be("EHR-CSV-012");
        ex.File.Should().Be("hosp/t.csv");
        ex.LineNumber.Should().Be(3);
    }

    [Fact]
    public void Should_ReportTheLineAndField_When_TextFollowsAClosingQuote()
    {
        var ex = Fails("a,name,c\n1,2,3\n4,\"first\nsecond\"SECRET,6\n");

        ex.Code.Should().Be("EHR-CSV-013");
        ex.LineNumber.Should().Be(4);
        ex.Field.Should().Be("name");
        ex.Message.Should().NotContain("SECRET");
    }

    [Fact]
    public void Should_ReportTheLineAndField_When_ARecordHasTooFewFields()
    {
        var ex = Fails("a,b,c\n1,\"x\ny\",3\n4,5\n");

        ex.Code.Should().Be("EHR-CSV-011");
        ex.LineNumber.Should().Be(4);
        ex.Field.Should().Be("b");
    }

    [Fact]
    public void Should_ReportTheFieldAndByte_When_AFieldIsNotUtf8()
    {
        using var dir = new TempDirectory();
        var bytes = Encoding.UTF8.GetBytes("a,note\n1,ok\n2,\"caf").Concat(new byte[] { 0xE9 }).Concat(Encoding.UTF8.GetBytes("\"\n")).ToArray();
        var act = () => ReadAll(dir, string.Empty, bytes: bytes);

        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-CSV-014");
        ex.LineNumber.Should().Be(3);
        ex.Field.Should().Be("note");
        ex.Message.Should().Contain("byte 0xE9 at byte 4 of the field").And.NotContain("caf");
    }

    [Fact]
    public void Should_ReportTheDamagedGzip_When_ARecordIsMalformedAndTheChecksumFails()
    {
        using var dir = new TempDirectory();
        MimicFixture.Write(dir.Path, "t", "a,b,c\n1,2,3\n4,5\n", gzip: true);
        var path = dir.Combine("t.csv.gz");
        var bytes = File.ReadAllBytes(path);
        bytes[^6] ^= 0xff; // inside the trailer's CRC-32
        File.WriteAllBytes(path, bytes);

        var act = () =>
        {
            using var csv = MimicCsvReader.Open(path, "hosp/t.csv.gz");
            while (csv.Read())
            {
            }
        };

        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().StartWith("EHR-GZ", "the damage explains the malformed record");
        ex.File.Should().Be("hosp/t.csv.gz");
    }
}
