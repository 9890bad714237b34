using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Tests.Support;

namespace EhrR1.Graph.Umls.Tests.Matching;

public sealed class LongStringIndexTests
{
    [Fact]
    public async Task Should_IndexLongStringsInFeatureCountOrder_When_TheyGoThroughTheOverflowSpool()
    {
        // Given: strings of 160 features or more take the overflow file, in an order that is not their size order
        using var dir = new TempDirectory();
        var longer = string.Join(' ', Enumerable.Range(0, 60).Select(i => "word" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var shorter = string.Join(' ', Enumerable.Range(0, 40).Select(i => "term" + i.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        TinyVocabulary.WriteRrf(dir.Combine("rrf"),
        [
            new("C0000001", longer, true, "T047"),
            new("C0000002", "Sepsis", true, "T047"),
            new("C0000003", shorter, true, "T047"),
        ]);

        // When
        await TinyVocabulary.BuildIndexAsync(dir.Combine("rrf"), dir.Combine("index"), minLength: 3);
        using var index = UmlsIndex.Open(dir.Combine("index")); // throws when docs are not in ascending feature count

        // Then
        index.DocumentCount.Should().Be(3);
        index.Search(longer, SimilarityMeasure.Jaccard, 0.9).Select(h => index.Document(h.DocId).Cui).Should().Equal("C0000001");
        index.Search(shorter, SimilarityMeasure.Jaccard, 0.9).Select(h => index.Document(h.DocId).Cui).Should().Equal("C0000003");
        index.MaxFeatureCount.Should().BeGreaterThan(160);
    }
}
