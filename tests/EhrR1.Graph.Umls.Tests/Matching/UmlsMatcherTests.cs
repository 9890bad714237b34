using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Tests.Support;

namespace EhrR1.Graph.Umls.Tests.Matching;

public sealed class UmlsMatcherTests : IClassFixture<UmlsMatcherTests.Fixture>
{
    private readonly Fixture _fixture;

    public UmlsMatcherTests(Fixture fixture) => _fixture = fixture;

    public sealed class Fixture : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Fixture()
        {
            TinyVocabulary.WriteRrf(_dir.Combine("rrf"),
            [
                new("C0000001", "Acute renal failure", true, "T047"),
                new("C0000001", "Acute kidney failure", false, "T047"),
                new("C0000002", "Renal failure", true, "T047"),
                new("C0000003", "Sepsis", true, "T047"),
                new("C0000004", "Norepinephrine", true, "T121"),
                new("C0000005", "Fever", true, "T184"),
                new("C0000006", "Chest pain", true, "T184"),
                new("C0000007", "Renal failures", true, "T047"),
                new("C0000008", "Sepsis", true, "T005"),
                new("C0000009", "Hemoglobin A1c", true, "T059"),
            ]);
            TinyVocabulary.BuildIndexAsync(_dir.Combine("rrf"), _dir.Combine("index"), minLength: 3).GetAwaiter().GetResult();
            Index = UmlsIndex.Open(_dir.Combine("index"));
        }

        internal UmlsIndex Index { get; }

        public void Dispose()
        {
            Index.Dispose();
            _dir.Dispose();
        }
    }

    [Fact]
    public void Should_ReturnEveryNonOverlappingSpanInTextOrder_When_TextHasSeveralConcepts()
    {
        // Given
        var matcher = new UmlsMatcher(_fixture.Index, new MatcherSettings());
        const string text = "Pt with acute renal failure, sepsis and fever; started norepinephrine.";

        // When
        var spans = matcher.Match(text);

        // Then
        spans.Select(s => s.Text).Should().Equal("acute renal failure", "sepsis", "fever", "norepinephrine");
        spans[0].Start.Should().Be(text.IndexOf("acute", StringComparison.Ordinal));
        spans[0].End.Should().Be(spans[0].Start + "acute renal failure".Length);
        spans[0].Candidates[0].Cui.Should().Be("C0000001");
        spans[0].Candidates[0].Similarity.Should().Be(1.0);
        spans[0].Candidates[0].Preferred.Should().BeTrue();
    }

    [Fact]
    public void Should_RankBySimilarityThenPreferred_When_ASpanHasSeveralCandidates()
    {
        // Given
        var matcher = new UmlsMatcher(_fixture.Index, new MatcherSettings { Threshold = 0.5 });

        // When
        var spans = matcher.Match("renal failure");

        // Then
        var cands = spans.Single().Candidates;
        cands.Select(c => c.Similarity).Should().BeInDescendingOrder();
        cands[0].Cui.Should().Be("C0000002");
        cands.Select(c => c.Cui).Should().Contain("C0000007").And.OnlyHaveUniqueItems();
    }

    [Fact]
    public void Should_DropCandidatesOutsideAcceptedTypes_When_FilteringSemanticTypes()
    {
        // Given: T005 (virus) is not among QuickUMLS's 27 defaults
        var matcher = new UmlsMatcher(_fixture.Index, new MatcherSettings());
        var all = new UmlsMatcher(_fixture.Index, new MatcherSettings { AcceptedSemanticTypes = null });

        // When
        var filtered = matcher.Match("sepsis").Single().Candidates.Select(c => c.Cui);
        var unfiltered = all.Match("sepsis").Single().Candidates.Select(c => c.Cui);

        // Then
        filtered.Should().Equal("C0000003");
        unfiltered.Should().Equal("C0000003", "C0000008");
    }

    [Fact]
    public void Should_PreferLongerSpans_When_OverlappingCriteriaIsLength()
    {
        // Given
        var byScore = new UmlsMatcher(_fixture.Index, new MatcherSettings { Threshold = 0.5 });
        var byLength = new UmlsMatcher(_fixture.Index, new MatcherSettings { Threshold = 0.5, OverlappingCriteria = OverlapCriterion.Length });
        const string text = "acute renal failures";

        // When
        var score = byScore.Match(text);
        var length = byLength.Match(text);

        // Then
        score.Select(s => s.Text).Should().Equal("renal failures");
        length.Select(s => s.Text).Should().Equal("acute renal failures");
    }

    [Fact]
    public void Should_GiveTheSameResults_When_MatchingFromManyThreads()
    {
        // Given
        var matcher = new UmlsMatcher(_fixture.Index, new MatcherSettings { CacheEntries = 0 });
        const string text = "chest pain and fever with sepsis; hemoglobin a1c pending";
        var expected = matcher.Match(text).Select(s => (s.Start, s.End, s.Candidates[0].Cui)).ToList();

        // When
        var results = new System.Collections.Concurrent.ConcurrentBag<List<(int, int, string)>>();
        Parallel.For(0, 200, new ParallelOptions { MaxDegreeOfParallelism = 4 }, _ =>
            results.Add(matcher.Match(text).Select(s => (s.Start, s.End, s.Candidates[0].Cui)).ToList()));

        // Then
        expected.Should().HaveCount(4);
        results.Should().AllSatisfy(r => r.Should().Equal(expected));
    }

    [Fact]
    public void Should_ResolveExactThenPhraseThenApproximate_When_ResolvingTerms()
    {
        // Given
        using var resolver = new UmlsResolver(_fixture.Index);

        // When
        var exact = resolver.Resolve("ACUTE KIDNEY FAILURE");
        var phrase = resolver.Resolve("hemoglobin");
        var approximate = resolver.Resolve("norepinephrin");
        var none = resolver.Resolve("zzzz qqqq");

        // Then
        exact.Should().BeEquivalentTo(new { Cui = "C0000001", Method = "exact", Score = 1.0, Name = "Acute renal failure" });
        phrase!.Cui.Should().Be("C0000009");
        phrase.Method.Should().Be("phrase");
        approximate!.Cui.Should().Be("C0000004");
        approximate.Method.Should().Be("approximate");
        none.Should().BeNull();
        resolver.PreferredName("C0000001").Should().Be("Acute renal failure");
    }
}
