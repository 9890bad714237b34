using System.Text;
using System.Text.RegularExpressions;

namespace EhrR1.Graph.Reasoning.Filtering;

/// <summary>
/// The per-chain checks of the reasoning filter. Fixes over upstream: coverage is measured in the text after the
/// LAST "Final Results" with case and whitespace normalised on both sides and whole-word matching; a string target is one label (not its
/// characters); leak phrases are configurable; the three sections must be present in order.
/// </summary>
public sealed partial class ChainChecker(FilterSettings settings)
{
    public const string NoFinalResults = "no_final_results";
    public const string LowCoverage = "low_label_coverage";
    public const string Leak = "leak_phrase";
    public const string MissingSections = "missing_sections";
    public const string OldFormat = "old_format_headers";
    public const string Truncated = "truncated_by_length";
    public const string Empty = "empty_chain";

    private readonly string[] _leaks = settings.LeakPhrases.Select(Normalize).Where(p => p.Length > 0).ToArray();

    /// <summary>Reasons to reject the chain (empty = keep) and the label coverage.</summary>
    public (IReadOnlyList<string> Reasons, double Coverage) Check(string chain, IReadOnlyList<string> labels, string? finishReason)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(labels);
        var reasons = new List<string>();
        if (string.IsNullOrWhiteSpace(chain))
        {
            return ([Empty], 0);
        }

        if (settings.RejectTruncated && string.Equals(finishReason, "length", StringComparison.Ordinal))
        {
            reasons.Add(Truncated);
        }

        var coverage = Coverage(chain, labels);
        if (coverage is null)
        {
            reasons.Add(NoFinalResults);
            coverage = 0;
        }
        else if (coverage < settings.MinCoverage)
        {
            reasons.Add(LowCoverage);
        }

        var normalized = Normalize(chain);
        if (_leaks.Any(p => normalized.Contains(p, StringComparison.Ordinal)))
        {
            reasons.Add(Leak);
        }

        if (settings.OldHeaders.Any(h => chain.Contains(h, StringComparison.OrdinalIgnoreCase)))
        {
            reasons.Add(OldFormat);
        }

        if (settings.RequireSections && !HasSectionsInOrder(chain))
        {
            reasons.Add(MissingSections);
        }

        return (reasons, coverage.Value);
    }

    /// <summary>Fraction of distinct labels found after the last "Final Results"; null when there is no such heading.</summary>
    public static double? Coverage(string chain, IReadOnlyList<string> labels)
    {
        ArgumentNullException.ThrowIfNull(chain);
        ArgumentNullException.ThrowIfNull(labels);
        var at = chain.LastIndexOf("final results", StringComparison.OrdinalIgnoreCase);
        if (at < 0)
        {
            return null;
        }

        var final = Normalize(chain[(at + "final results".Length)..]);
        var distinct = labels.Select(Normalize).Where(l => l.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        if (distinct.Count == 0)
        {
            return 0;
        }

        return distinct.Count(l => ContainsWhole(final, l)) / (double)distinct.Count;
    }

    /// <summary>
    /// True when <paramref name="label"/> occurs in <paramref name="text"/> not glued to a letter or digit on either
    /// side ("yes" is not found in "eyes"; "CHEST (PA AND LAT)" is found in "- chest (pa and lat).").
    /// </summary>
    public static bool ContainsWhole(string text, string label)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(label);
        for (var at = text.IndexOf(label, StringComparison.Ordinal); at >= 0; at = text.IndexOf(label, at + 1, StringComparison.Ordinal))
        {
            var before = at == 0 || !char.IsLetterOrDigit(text[at - 1]) || !char.IsLetterOrDigit(label[0]);
            var end = at + label.Length;
            var after = end == text.Length || !char.IsLetterOrDigit(text[end]) || !char.IsLetterOrDigit(label[^1]);
            if (before && after)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Lower-case, collapse every whitespace run to one space, trim.</summary>
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var sb = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(char.ToLowerInvariant(c));
        }

        return sb.ToString();
    }

    public static bool HasSectionsInOrder(string chain)
    {
        ArgumentNullException.ThrowIfNull(chain);
        var e = Header("extraction").Match(chain);
        var r = Header("reasoning").Match(chain);
        var f = Header("final results").Match(chain);
        return e.Success && r.Success && f.Success && e.Index < r.Index && r.Index < f.Index;
    }

    private static Regex Header(string name) => name switch
    {
        "extraction" => ExtractionHeader(),
        "reasoning" => ReasoningHeader(),
        _ => FinalHeader(),
    };

    [GeneratedRegex(@"^[ \t]*#{1,6}[ \t]*\**[ \t]*Extraction[ \t]*\**[ \t]*:?[ \t]*\r?$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ExtractionHeader();

    [GeneratedRegex(@"^[ \t]*#{1,6}[ \t]*\**[ \t]*Reasoning[ \t]*\**[ \t]*:?[ \t]*\r?$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReasoningHeader();

    [GeneratedRegex(@"^[ \t]*#{1,6}[ \t]*\**[ \t]*Final Results[ \t]*\**[ \t]*:?[ \t]*\r?$", RegexOptions.Multiline | RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FinalHeader();
}
