using System.Text;
using System.Text.RegularExpressions;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Tests.Tokenization;

public sealed class Qwen3PreTokenizerTests
{
    /// <summary>The pattern of tokenizer.json, which .NET's regex applies correctly to BMP-only text.</summary>
    private static readonly Regex Pattern = new(
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        RegexOptions.CultureInvariant);

    [Fact]
    public void Should_SplitAsTheRegex_When_TextIsInTheBmp()
    {
        // Given: random strings over the characters where the alternatives compete
        const string Alphabet = "aZsStTrReEvVmMlLdD\u017F\u00E9\u4E2D\u00B2\u2163059 '\t\r\n\u00A0\u2028\u0085\u3000.,!?-|/#\u0301\u200B\uFFFD\uFFFE";
        var random = new Random(20);
        var text = new StringBuilder();

        for (var n = 0; n < 20_000; n++)
        {
            text.Clear();
            var length = random.Next(1, 16);
            for (var i = 0; i < length; i++)
            {
                text.Append(Alphabet[random.Next(Alphabet.Length)]);
            }

            var s = text.ToString();

            // When
            var pieces = Split(s);

            // Then
            pieces.Should().Equal(Pattern.Matches(s).Select(m => m.Value), "the split of {0} must be the regex's", Escape(s));
        }
    }

    [Theory]
    [InlineData("x \U0001D7D8", new[] { "x", " ", "\U0001D7D8" })]
    [InlineData("\U0001D400\U0001D401 b", new[] { "\U0001D400\U0001D401", " b" })]
    [InlineData(" \U0001D400x", new[] { " \U0001D400x" })]
    [InlineData("\U0001F600\U0001F600!", new[] { "\U0001F600\U0001F600!" })]
    [InlineData("a\U0001F600b", new[] { "a", "\U0001F600b" })]
    [InlineData("\U00010107\U00010107", new[] { "\U00010107", "\U00010107" })]
    public void Should_ClassifyByCodePoint_When_CharactersAreOutsideTheBmp(string text, string[] expected) =>
        Split(text).Should().Equal(expected);

    private static List<string> Split(string s)
    {
        var pieces = new List<string>();
        for (var i = 0; i < s.Length;)
        {
            var length = Qwen3PreTokenizer.NextPiece(s, i);
            pieces.Add(s.Substring(i, length));
            i += length;
        }

        return pieces;
    }

    private static string Escape(string s) => string.Concat(s.Select(c => c < 128 && !char.IsControl(c) ? c.ToString() : $"\\u{(int)c:X4}"));
}
