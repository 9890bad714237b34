using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Tests.Support;

namespace EhrR1.Graph.Umls.Tests.Matching;

/// <summary>An index of no strings would match nothing in every stage after it: building one is an error.</summary>
public sealed class EmptyVocabularyTests
{
    [Fact]
    public async Task Should_FailNamingMrconso_AndWriteNoIndex_When_MrconsoKeepsNoString()
    {
        // Given an MRCONSO with no rows
        using var dir = new TempDirectory("ehrr1-empty-vocab-");
        TinyVocabulary.WriteRrf(dir.Combine("rrf"), []);

        // When
        var act = () => TinyVocabulary.BuildIndexAsync(dir.Combine("rrf"), dir.Combine("index"));

        // Then
        var error = (await act.Should().ThrowAsync<InputDataException>()).Which;
        error.File.Should().EndWith("MRCONSO.RRF");
        error.Message.Should().Contain("no string to index").And.Contain("0 MRCONSO rows read");
        Directory.Exists(dir.Combine("index")).Should().BeFalse("no partial index is left behind");
    }
}
