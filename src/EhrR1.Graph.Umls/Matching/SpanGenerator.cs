using System.Text;

namespace EhrR1.Graph.Umls.Matching;

/// <summary>A candidate span: token range, character range, and the text to look up (determiners removed).</summary>
internal readonly record struct CandidateSpan(int FirstToken, int LastToken, int Start, int End, string Text);

/// <summary>
/// QuickUMLS's span rules over tokens. For every start token i and every end token j with j − i &lt; window:
/// <list type="bullet">
/// <item>i must be a valid token: not punctuation, not a line break, not a determiner/adposition/conjunction;</item>
/// <item>if i is a number or a stop word (other than a negation), it cannot form a one-token span;</item>
/// <item>growing the span stops at the first token (after i) that is punctuation or a line break, except brackets and '/';</item>
/// <item>j must be a valid end: not punctuation, not a stop word, not a determiner/adposition/conjunction;</item>
/// <item>the span must cover at least <c>minMatchLength</c> characters;</item>
/// <item>the looked-up text is the span's text with its determiner tokens removed.</item>
/// </list>
/// Spans are produced in order of start token, then length (QuickUMLS's order, which breaks ties later).
/// </summary>
internal static class SpanGenerator
{
    private const TokenFlags Invalid = TokenFlags.Punctuation | TokenFlags.LineBreak | TokenFlags.Determiner | TokenFlags.Adposition | TokenFlags.Conjunction;
    private const TokenFlags InvalidEnd = Invalid | TokenFlags.Stop;

    public static void Generate(string text, List<Token> tokens, int window, int minMatchLength, List<CandidateSpan> spans)
    {
        spans.Clear();
        var sb = new StringBuilder();
        for (var i = 0; i < tokens.Count; i++)
        {
            var first = tokens[i];
            if (first.Is(Invalid))
            {
                continue;
            }

            var compensate = first.Is(TokenFlags.Number) || (first.Is(TokenFlags.Stop) && !first.Is(TokenFlags.Negation));
            var lastAllowed = Math.Min(tokens.Count - 1, i + window - 1);
            for (var j = i; j <= lastAllowed; j++)
            {
                var last = tokens[j];
                if (j > i && last.Is(TokenFlags.Punctuation | TokenFlags.LineBreak) && !last.Is(TokenFlags.Bracket | TokenFlags.Slash))
                {
                    break;
                }

                if (j == i && compensate)
                {
                    continue;
                }

                if (last.Is(InvalidEnd))
                {
                    continue;
                }

                var start = first.Start;
                var end = last.End;
                if (end - start < minMatchLength)
                {
                    continue;
                }

                spans.Add(new CandidateSpan(i, j, start, end, SpanText(text, tokens, i, j, sb)));
            }
        }
    }

    private static string SpanText(string text, List<Token> tokens, int i, int j, StringBuilder sb)
    {
        var hasDeterminer = false;
        for (var k = i + 1; k < j; k++)
        {
            if (tokens[k].Is(TokenFlags.Determiner))
            {
                hasDeterminer = true;
                break;
            }
        }

        if (!hasDeterminer)
        {
            return text.Substring(tokens[i].Start, tokens[j].End - tokens[i].Start);
        }

        sb.Clear();
        for (var k = i; k <= j; k++)
        {
            var t = tokens[k];
            if (t.Is(TokenFlags.Determiner))
            {
                continue;
            }

            sb.Append(text, t.Start, t.Length);
            var wsEnd = k < j ? tokens[k + 1].Start : t.End;
            sb.Append(text, t.End, wsEnd - t.End);
        }

        return sb.ToString().Trim();
    }
}
