using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Knowledge.Tests.Graph;

public sealed class Neo4jImportCsvWriterTests
{
    [Fact]
    public void Should_WriteTypedHeadersAndQuotedRows_When_Exporting()
    {
        // Given
        using var tmp = new TempDirectory();
        var outDir = tmp.Combine("csv");

        // When
        var counts = Neo4jImportCsvWriter.Write(Some.SmallGraph(), outDir, force: false);

        // Then
        counts["concepts"].Should().Be(3);
        counts["co_occurs"].Should().Be(3);
        var concepts = File.ReadAllLines(Path.Combine(outDir, "concepts.csv"));
        concepts[0].Should().Be("cui:ID(Concept),name,name_key,tuis:string[],group,:LABEL");
        concepts.Should().Contain("\"C0032825\",\"Potassium Chloride\",\"potassium chloride\",\"T121;T197\",\"CHEM\",Concept;Drug", "a concept also carries its kind label, as the HTTP load sets it");
        concepts.Should().Contain(l => l.StartsWith("\"C0020621\",", StringComparison.Ordinal) && l.EndsWith(",Concept;Disorder", StringComparison.Ordinal));
        var co = File.ReadAllLines(Path.Combine(outDir, "co_occurs.csv"));
        co[0].Should().Be(":START_ID(Concept),:END_ID(Concept),task,target_term,history_term,count:long,lift:double,target_df:long,history_df:long,n:long,:TYPE");
        co.Should().Contain("\"C0032825\",\"C0020621\",\"prescriptions\",\"Potassium Chloride\",\"K+ low\",8,12.5,10,12,100,CO_OCCURS");
        File.ReadAllLines(Path.Combine(outDir, "umls_rel.csv")).Should().HaveCount(4);
        File.Exists(Path.Combine(outDir, "import.sh")).Should().BeTrue();
    }

    [Fact]
    public void Should_DoubleQuotes_When_FieldContainsQuote()
    {
        Neo4jImportCsvWriter.Q("a \"b\", c").Should().Be("\"a \"\"b\"\", c\"");
    }
}
