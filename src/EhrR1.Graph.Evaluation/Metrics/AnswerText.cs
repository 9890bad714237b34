namespace EhrR1.Graph.Evaluation.Metrics;

/// <summary>
/// Turns a model's raw output into the answer that is scored.
/// <list type="number">
/// <item>Thinking: the answer is the text after the LAST <c>&lt;/think&gt;</c>. An output that opens <c>&lt;think&gt;</c>
/// but never closes it (generation cut off while thinking) has an empty answer.</item>
/// <item>Lines: split on newline and on the two-character sequence backslash-n (some models write it literally), strip
/// each line, drop empty lines, lower-case (invariant), de-duplicate keeping the first occurrence.</item>
/// </list>
/// Upstream <c>test.py</c> kept empty lines (lowering precision); we drop them, as its GRPO reward did.
/// </summary>
public static class AnswerText
{
    private const string ThinkOpen = "<think>";
    private const string ThinkClose = "</think>";

    /// <summary>The text after the last <c>&lt;/think&gt;</c> (or the whole text without thinking tags).</summary>
    public static string ExtractAnswer(string output, out bool unterminatedThinking)
    {
        ArgumentNullException.ThrowIfNull(output);
        unterminatedThinking = false;
        var close = output.LastIndexOf(ThinkClose, StringComparison.Ordinal);
        if (close >= 0)
        {
            return output[(close + ThinkClose.Length)..];
        }

        if (output.Contains(ThinkOpen, StringComparison.Ordinal))
        {
            unterminatedThinking = true;
            return string.Empty;
        }

        return output;
    }

    /// <summary>The text after the last <c>&lt;/think&gt;</c>.</summary>
    public static string ExtractAnswer(string output) => ExtractAnswer(output, out _);

    /// <summary>Normalised, de-duplicated answer lines (see the type summary).</summary>
    public static IReadOnlyList<string> NormalizeLines(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new List<string>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var piece in text.Replace("\\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = piece.Trim().ToLowerInvariant();
            if (line.Length > 0 && seen.Add(line))
            {
                result.Add(line);
            }
        }

        return result;
    }
}
