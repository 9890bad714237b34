using System.Text.Json;
using EhrR1.Graph.Training.Tests.Support;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Tests.Tokenization;

public sealed class Qwen3TokenizerTests
{
    [RequiresTokenizerFact]
    public void Should_ReproduceEveryReferenceCase_When_EncodingAndDecoding()
    {
        // Given
        var tokenizer = SharedTokenizer.Tokenizer;
        var lines = File.ReadAllLines(Path.Combine(SharedTokenizer.Folder, "reference-cases.jsonl")).Where(l => l.Length > 0).ToList();
        lines.Should().HaveCountGreaterThan(40);
        var failures = new List<string>();

        foreach (var (line, n) in lines.Select((l, i) => (l, i + 1)))
        {
            using var doc = JsonDocument.Parse(line);
            var text = doc.RootElement.GetProperty("text").GetString()!;
            var expected = doc.RootElement.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()).ToList();
            var decodedExpected = doc.RootElement.GetProperty("decoded").GetString()!;

            // When
            var ids = tokenizer.Encode(text);
            var decoded = tokenizer.Decode(ids);

            // Then
            if (!ids.SequenceEqual(expected))
            {
                failures.Add($"case {n}: ids [{string.Join(",", ids)}] != [{string.Join(",", expected)}]");
            }

            if (!string.Equals(decoded, decodedExpected, StringComparison.Ordinal))
            {
                failures.Add($"case {n}: decoded text differs");
            }
        }

        failures.Should().BeEmpty();
    }

    /// <summary>
    /// Hard strings of issue 20, with the ids Hugging Face's tokenizers (Rust and JS, same tokenizer.json) give: a lone
    /// surrogate (read as U+FFFD), the noncharacter U+FFFE (its UTF-8 bytes), and a digit outside the BMP (a code
    /// point of its own, not a surrogate pair glued to the space before it).
    /// </summary>
    public static TheoryData<string, int[], string> HardCases => new()
    {
        { "abc\ud800def", [13683, 5691, 750], "abc\ufffddef" },
        { "a\ufffe", [64, 5564, 122], "a\ufffe" },
        { "x \U0001D7D8", [87, 220, 56252, 253, 246], "x \U0001D7D8" },
    };

    [RequiresTokenizerTheory]
    [MemberData(nameof(HardCases))]
    public void Should_MatchHuggingFace_When_TextHasLoneSurrogatesNoncharactersOrAstralDigits(string text, int[] expected, string decoded)
    {
        // When
        var ids = SharedTokenizer.Tokenizer.Encode(text);

        // Then
        ids.Should().Equal(expected);
        SharedTokenizer.Tokenizer.Decode(ids).Should().Be(decoded);
    }

    [RequiresTokenizerFact]
    public void Should_EncodeAndRoundTripEveryCodePoint_When_ItStandsAlone()
    {
        // Given: every BMP code point (surrogates alone), the noncharacters at the end of every plane, and a
        // letter, a digit and an emoji outside the BMP, each between two letters
        var tokenizer = SharedTokenizer.Tokenizer;
        var points = Enumerable.Range(0, 0x10000)
            .Concat(Enumerable.Range(1, 16).SelectMany(plane => new[] { (plane << 16) | 0xFFFE, (plane << 16) | 0xFFFF }))
            .Concat([0x1D400, 0x1D7D8, 0x1F600]);
        var failures = new List<string>();

        foreach (var point in points)
        {
            var character = point is >= 0xD800 and <= 0xDFFF ? ((char)point).ToString() : char.ConvertFromUtf32(point);
            var text = "a" + character + "b";
            // U+FFFE and U+FFFF are NFC-stable, but .NET refuses to normalise a string that holds them.
            var expected = point is >= 0xD800 and <= 0xDFFF ? "a\uFFFDb"
                : (point & 0xFFFE) == 0xFFFE ? text
                : text.Normalize(System.Text.NormalizationForm.FormC);

            // When
            string decoded;
            try
            {
                decoded = tokenizer.Decode(tokenizer.Encode(text));
            }
            catch (ArgumentException e)
            {
                failures.Add($"U+{point:X4}: {e.Message}");
                continue;
            }

            // Then
            if (!string.Equals(decoded, expected, StringComparison.Ordinal))
            {
                failures.Add($"U+{point:X4}: does not round-trip");
            }
        }

        failures.Should().BeEmpty();
    }

    [RequiresTokenizerFact]
    public void Should_RenderAndEncodeChatTemplateCases_When_ThinkingToggles()
    {
        // Given
        var tokenizer = SharedTokenizer.Tokenizer;
        var lines = File.ReadAllLines(Path.Combine(SharedTokenizer.Folder, "chat-template-cases.jsonl")).Where(l => l.Length > 0).ToList();
        lines.Should().HaveCount(4);

        foreach (var line in lines)
        {
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var messages = root.GetProperty("messages").EnumerateArray()
                .Select(m => new ChatMessage(m.GetProperty("role").GetString()!, m.GetProperty("content").GetString()!)).ToList();

            // When
            var text = ChatTemplate.Render(messages, root.GetProperty("add_generation_prompt").GetBoolean(), root.GetProperty("enable_thinking").GetBoolean());
            var ids = tokenizer.Encode(text);

            // Then
            text.Should().Be(root.GetProperty("text").GetString());
            ids.Should().Equal(root.GetProperty("ids").EnumerateArray().Select(e => e.GetInt32()));
        }
    }

    [RequiresTokenizerFact]
    public void Should_MapSpecialTokensToSingleIds_When_TextContainsThem()
    {
        var tokenizer = SharedTokenizer.Tokenizer;

        tokenizer.ImStartId.Should().Be(151644);
        tokenizer.ImEndId.Should().Be(151645);
        tokenizer.TokenToId("<think>").Should().Be(151667);
        tokenizer.Encode("<think></think>").Should().Equal(151667, 151668);
        tokenizer.Decode([151644, 9707, 151645], skipSpecialTokens: true).Should().Be("Hello");
    }
}
