using EhrR1.Graph.Umls.Matching;

namespace EhrR1.Graph.Umls.Tests.Matching;

public sealed class SpanGeneratorTests
{
    private static List<string> Spans(string text, int window = 5, int minLength = 3)
    {
        var tokens = new List<Token>();
        ClinicalTokenizer.Tokenize(text, tokens);
        var spans = new List<CandidateSpan>();
        SpanGenerator.Generate(text, tokens, window, minLength, spans);
        return spans.Select(s => s.Text).ToList();
    }

    [Fact]
    public void Should_NotStartOrEndWithStopWordsOrPunctuation_When_GeneratingSpans()
    {
        // When
        var spans = Spans("pain in the chest.");

        // Then
        spans.Should().Equal("pain", "pain in chest", "chest");
    }

    [Fact]
    public void Should_NotCrossPunctuationOrLineBreaks_When_GeneratingSpans()
    {
        // When
        var spans = Spans("acute renal failure, sepsis\nfever");

        // Then
        spans.Should().Contain("acute renal failure");
        spans.Should().NotContain(s => s.Contains("sepsis", StringComparison.Ordinal) && s.Contains("failure", StringComparison.Ordinal));
        spans.Should().NotContain(s => s.Contains("sepsis", StringComparison.Ordinal) && s.Contains("fever", StringComparison.Ordinal));
    }

    [Fact]
    public void Should_KeepHyphenatedWordsWhole_When_Tokenizing()
    {
        // When
        var spans = Spans("Alveolar-arterial Gradient");

        // Then
        spans.Should().Equal("Alveolar-arterial", "Alveolar-arterial Gradient", "Gradient");
    }

    [Fact]
    public void Should_NotMakeSingleTokenSpansOfNumbers_When_ANumberStartsASpan()
    {
        // When
        var spans = Spans("2 diabetes");

        // Then
        spans.Should().Equal("2 diabetes", "diabetes");
    }

    [Fact]
    public void Should_LimitSpansToTheWindow_When_TheSentenceIsLong()
    {
        // When
        var spans = Spans("aaa bbb ccc ddd eee fff", window: 3);

        // Then
        spans.Should().Contain("aaa bbb ccc").And.NotContain("aaa bbb ccc ddd");
    }

    [Fact]
    public void Should_DropShortSpans_When_BelowMinimumLength()
    {
        // When
        var spans = Spans("ab cd", minLength: 3);

        // Then
        spans.Should().Equal("ab cd");
    }
}
