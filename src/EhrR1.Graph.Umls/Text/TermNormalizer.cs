using System.Text;
using Lucene.Net.Analysis.Miscellaneous;

namespace EhrR1.Graph.Umls.Text;

/// <summary>
/// Normalises a string the same way for indexing and matching: Unicode→ASCII folding (Lucene's
/// <see cref="ASCIIFoldingFilter"/> table), lowercasing (invariant), collapsing runs of white space to one space,
/// trimming. Thread-safe.
/// </summary>
internal sealed class TermNormalizer(NormalizationSettings settings)
{
    public NormalizationSettings Settings { get; } = settings;

    public string Normalize(ReadOnlySpan<char> text)
    {
        var needsFold = false;
        if (Settings.FoldToAscii)
        {
            foreach (var c in text)
            {
                if (c >= 0x80)
                {
                    needsFold = true;
                    break;
                }
            }
        }

        ReadOnlySpan<char> source = text;
        char[]? folded = null;
        if (needsFold)
        {
            var input = text.ToArray();
            folded = new char[input.Length * 4];
            var n = ASCIIFoldingFilter.FoldToASCII(input, 0, folded, 0, input.Length);
            source = folded.AsSpan(0, n);
        }

        var sb = new StringBuilder(source.Length);
        var pendingSpace = false;
        foreach (var ch in source)
        {
            if (char.IsWhiteSpace(ch))
            {
                pendingSpace = sb.Length > 0;
                continue;
            }

            if (pendingSpace)
            {
                sb.Append(' ');
                pendingSpace = false;
            }

            sb.Append(Settings.Lowercase ? char.ToLowerInvariant(ch) : ch);
        }

        return sb.ToString();
    }
}
