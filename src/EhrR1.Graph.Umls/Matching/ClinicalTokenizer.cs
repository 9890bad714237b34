namespace EhrR1.Graph.Umls.Matching;

/// <summary>Token classes used by the span rules.</summary>
[Flags]
internal enum TokenFlags
{
    None = 0,
    Punctuation = 1,
    Bracket = 2,
    Slash = 4,
    LineBreak = 8,
    Number = 16,
    Stop = 32,
    Determiner = 64,
    Adposition = 128,
    Conjunction = 256,
    Negation = 512,
}

/// <summary>A token: character range in the text and its classes.</summary>
internal readonly record struct Token(int Start, int End, TokenFlags Flags)
{
    public int Length => End - Start;

    public bool Is(TokenFlags f) => (Flags & f) != 0;
}

/// <summary>
/// Splits text into word, number and punctuation tokens. A word is a run of letters and digits; an apostrophe,
/// hyphen or period between two letters/digits stays inside the word ("Alveolar-arterial", "Crohn's", "7.5").
/// Any other non-space character is a one-character punctuation token. White space that contains a line break
/// becomes a <see cref="TokenFlags.LineBreak"/> token (as spaCy makes a space token), which no span crosses.
/// </summary>
internal static class ClinicalTokenizer
{
    public static void Tokenize(ReadOnlySpan<char> text, List<Token> tokens)
    {
        tokens.Clear();
        Span<char> lower = stackalloc char[64];
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                var start = i;
                var newline = false;
                while (i < text.Length && char.IsWhiteSpace(text[i]))
                {
                    newline |= text[i] == '\n' || text[i] == '\r';
                    i++;
                }

                if (newline && tokens.Count > 0)
                {
                    tokens.Add(new Token(start, start, TokenFlags.LineBreak));
                }

                continue;
            }

            if (char.IsLetterOrDigit(c))
            {
                var start = i;
                i++;
                while (i < text.Length)
                {
                    if (char.IsLetterOrDigit(text[i]))
                    {
                        i++;
                    }
                    else if (text[i] is '\'' or '-' or '.' or '\u2019' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1])
                        && (text[i] != '.' || (char.IsDigit(text[i - 1]) && char.IsDigit(text[i + 1]))))
                    {
                        i += 2;
                    }
                    else
                    {
                        break;
                    }
                }

                tokens.Add(new Token(start, i, Classify(text[start..i], lower)));
                continue;
            }

            var flags = TokenFlags.Punctuation;
            if (c is '(' or ')' or '[' or ']' or '{' or '}')
            {
                flags |= TokenFlags.Bracket;
            }
            else if (c == '/')
            {
                flags |= TokenFlags.Slash;
            }

            tokens.Add(new Token(i, i + 1, flags));
            i++;
        }
    }

    private static TokenFlags Classify(ReadOnlySpan<char> word, Span<char> buffer)
    {
        if (char.IsDigit(word[0]))
        {
            var numeric = true;
            foreach (var ch in word)
            {
                if (!char.IsDigit(ch) && ch is not '.' and not ',')
                {
                    numeric = false;
                    break;
                }
            }

            return numeric ? TokenFlags.Number : TokenFlags.None;
        }

        if (word.Length > buffer.Length)
        {
            return TokenFlags.None;
        }

        var lower = buffer[..word.Length];
        word.ToLowerInvariant(lower);
        var flags = TokenFlags.None;
        if (EnglishWords.StopWordLookup.Contains(lower))
        {
            flags |= TokenFlags.Stop;
        }

        if (EnglishWords.DeterminerLookup.Contains(lower))
        {
            flags |= TokenFlags.Determiner;
        }

        if (EnglishWords.AdpositionLookup.Contains(lower))
        {
            flags |= TokenFlags.Adposition;
        }

        if (EnglishWords.ConjunctionLookup.Contains(lower))
        {
            flags |= TokenFlags.Conjunction;
        }

        if (EnglishWords.NegationLookup.Contains(lower))
        {
            flags |= TokenFlags.Negation;
        }

        if (EnglishWords.NumberWordLookup.Contains(lower))
        {
            flags |= TokenFlags.Number;
        }

        return flags;
    }
}
