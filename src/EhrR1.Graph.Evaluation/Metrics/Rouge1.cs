using System.Text;

namespace EhrR1.Graph.Evaluation.Metrics;

/// <summary>ROUGE-1 precision, recall and F of one prediction.</summary>
public readonly record struct RougeScore(double Precision, double Recall, double F);

/// <summary>
/// ROUGE-1 (unigram overlap) with stemming, tokenised as the <c>rouge_score</c> package does: lower-case, every
/// character outside [a-z0-9] becomes a space, split on spaces, and tokens longer than 3 characters are stemmed
/// (<see cref="PorterStemmer"/>, original algorithm). Overlap counts each unigram min(count in prediction, count in
/// reference) times; P = overlap / |prediction|, R = overlap / |reference|, F = 2PR/(P+R) (0 when either is 0).
/// </summary>
public static class Rouge1
{
    public static RougeScore Score(string prediction, string reference)
    {
        var pred = Tokenize(prediction);
        var refTokens = Tokenize(reference);
        if (pred.Count == 0 || refTokens.Count == 0)
        {
            return new RougeScore(0, 0, 0);
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var t in refTokens)
        {
            counts[t] = counts.GetValueOrDefault(t) + 1;
        }

        var overlap = 0;
        foreach (var t in pred)
        {
            if (counts.TryGetValue(t, out var c) && c > 0)
            {
                overlap++;
                counts[t] = c - 1;
            }
        }

        var p = (double)overlap / pred.Count;
        var r = (double)overlap / refTokens.Count;
        return new RougeScore(p, r, p + r == 0 ? 0 : 2 * p * r / (p + r));
    }

    public static IReadOnlyList<string> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = new List<string>();
        var sb = new StringBuilder();
        foreach (var raw in text)
        {
            var ch = char.ToLowerInvariant(raw);
            if (ch is (>= 'a' and <= 'z') or (>= '0' and <= '9'))
            {
                sb.Append(ch);
            }
            else if (sb.Length > 0)
            {
                Add(tokens, sb);
            }
        }

        if (sb.Length > 0)
        {
            Add(tokens, sb);
        }

        return tokens;
    }

    private static void Add(List<string> tokens, StringBuilder sb)
    {
        var token = sb.ToString();
        sb.Clear();
        tokens.Add(token.Length > 3 ? PorterStemmer.Stem(token) : token);
    }
}
