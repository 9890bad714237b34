using System.Buffers;
using System.Globalization;
using System.Text;

namespace EhrR1.Graph.Training.Tokenization;

/// <summary>
/// The Qwen2/Qwen3 pre-tokenizer split of <c>tokenizer.json</c>,
/// <c>(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+</c>,
/// matched by code point as Hugging Face's tokenizers do. A .NET <see cref="System.Text.RegularExpressions.Regex"/>
/// tests UTF-16 code units, so a letter or digit outside the BMP (a surrogate pair) would not be <c>\p{L}</c> or
/// <c>\p{N}</c>. The text must hold no lone surrogates (<see cref="Qwen3Tokenizer"/> replaces them first).
/// </summary>
internal static class Qwen3PreTokenizer
{
    private enum Kind : byte
    {
        Other,
        Letter,
        Number,
        Space,   // \s other than CR and LF
        NewLine, // \r or \n
    }

    private static readonly Kind[] Ascii = BuildAscii();

    /// <summary>Length in chars of the piece that starts at <paramref name="start"/> (always at least one code point).</summary>
    public static int NextPiece(ReadOnlySpan<char> text, int start)
    {
        var first = KindAt(text, start, out var firstWidth);

        // (?i:'s|'t|'re|'ve|'m|'ll|'d)
        if (text[start] == '\'' && Contraction(text, start + 1) is var contraction and > 0)
        {
            return 1 + contraction;
        }

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (first == Kind.Letter)
        {
            return SkipWhile(text, start, Kind.Letter) - start;
        }

        var afterFirst = start + firstWidth;
        if (first is Kind.Other or Kind.Space && afterFirst < text.Length && KindAt(text, afterFirst, out _) == Kind.Letter)
        {
            return SkipWhile(text, afterFirst, Kind.Letter) - start;
        }

        // \p{N}
        if (first == Kind.Number)
        {
            return firstWidth;
        }

        // ' '?[^\s\p{L}\p{N}]+[\r\n]*
        var symbols = text[start] == ' ' && afterFirst < text.Length && KindAt(text, afterFirst, out _) == Kind.Other ? afterFirst
            : first == Kind.Other ? start
            : -1;
        if (symbols >= 0)
        {
            return SkipWhile(text, SkipWhile(text, symbols, Kind.Other), Kind.NewLine) - start;
        }

        // Only whitespace is left. \s*[\r\n]+ ends after the run's last CR or LF; else \s+(?!\S) leaves the run's
        // last whitespace character to the next piece when a non-space follows; else \s+.
        var end = start;
        var lastNewLine = -1;
        while (end < text.Length && text[end] is var c && (c < 128 ? Ascii[c] is Kind.Space or Kind.NewLine : char.IsWhiteSpace(c)))
        {
            if (c is '\r' or '\n')
            {
                lastNewLine = end;
            }

            end++;
        }

        return lastNewLine >= 0 ? lastNewLine + 1 - start
            : end < text.Length && end - start > 1 ? end - 1 - start
            : end - start;
    }

    /// <summary>Chars after an apostrophe that one of <c>s t re ve m ll d</c> (any case) takes, or 0.</summary>
    private static int Contraction(ReadOnlySpan<char> text, int at)
    {
        if (at >= text.Length)
        {
            return 0;
        }

        switch (Fold(text[at]))
        {
            case 's' or 't' or 'm' or 'd':
                return 1;
            case 'r' or 'v' when at + 1 < text.Length && Fold(text[at + 1]) == 'e':
                return 2;
            case 'l' when at + 1 < text.Length && Fold(text[at + 1]) == 'l':
                return 2;
            default:
                return 0;
        }
    }

    /// <summary>
    /// ASCII lower case: what .NET's <c>(?i)</c> (culture-invariant) equates with <c>s t r e v m l d</c>, which the
    /// regex split this replaces used. Whether Hugging Face's regex engine also takes U+017F (long s, which case-folds
    /// to <c>s</c>) after an apostrophe is not checked.
    /// </summary>
    private static char Fold(char c) => c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;

    private static int SkipWhile(ReadOnlySpan<char> text, int at, Kind kind)
    {
        while (at < text.Length && KindAt(text, at, out var width) == kind)
        {
            at += width;
        }

        return at;
    }

    private static Kind KindAt(ReadOnlySpan<char> text, int at, out int width)
    {
        var c = text[at];
        if (c < 128)
        {
            width = 1;
            return Ascii[c];
        }

        if (!char.IsSurrogate(c))
        {
            width = 1;
            return char.IsWhiteSpace(c) ? Kind.Space : Classify(CharUnicodeInfo.GetUnicodeCategory(c));
        }

        if (Rune.DecodeFromUtf16(text[at..], out var rune, out width) != OperationStatus.Done)
        {
            width = 1;
            return Kind.Other;
        }

        return Classify(Rune.GetUnicodeCategory(rune));
    }

    private static Kind Classify(UnicodeCategory category) => category switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => Kind.Letter,
        UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => Kind.Number,
        _ => Kind.Other,
    };

    private static Kind[] BuildAscii()
    {
        var kinds = new Kind[128];
        for (var c = 0; c < 128; c++)
        {
            kinds[c] = c is '\r' or '\n' ? Kind.NewLine
                : char.IsWhiteSpace((char)c) ? Kind.Space
                : char.IsLetter((char)c) ? Kind.Letter
                : char.IsDigit((char)c) ? Kind.Number
                : Kind.Other;
        }

        return kinds;
    }
}
