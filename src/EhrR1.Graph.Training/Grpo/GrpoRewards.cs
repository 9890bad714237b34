namespace EhrR1.Graph.Training.Grpo;

/// <summary>How a prompt's answer is verified.</summary>
public enum AnswerKind
{
    /// <summary>Decision-making tasks (em/f1/recall/precision upstream): set F1 of the answer lines against the gold labels.</summary>
    LabelSet,

    /// <summary>Accuracy / AUROC tasks (risk): 1 when the answer starts with the gold label, else 0.</summary>
    StartsWith,
}

/// <summary>The gold answer of one GRPO prompt.</summary>
public sealed record RewardTarget(AnswerKind Kind, IReadOnlyList<string> Gold);

/// <summary>Weights of the reward functions (upstream registers only the verify reward; the format reward is off).</summary>
public sealed record RewardWeights(double Verify = 1.0, double Format = 0.0)
{
    public double Combine(double verify, double format) => (Verify * verify) + (Format * format);
}

/// <summary>
/// The GRPO reward functions of upstream's <c>grpo.py</c>, as pure functions of the completion text:
/// <see cref="Verify"/> (<c>mimiciv_verify_reward</c>, the only one upstream passes to the trainer) and
/// <see cref="Format"/> (defined upstream, never passed).
/// </summary>
public static class GrpoRewards
{
    public const string VerifyName = "verify";
    public const string FormatName = "format";
    public const string ThinkOpen = "<think>";
    public const string ThinkClose = "</think>";

    /// <summary>The three section headers of the reasoning chains (stage-2 data, <c>PROMPT_W_KNOWLEDGE</c>).</summary>
    public static readonly IReadOnlyList<string> SectionHeaders = ["## Extraction", "## Reasoning", "## Final Results"];

    /// <summary>The text after the last <c>&lt;/think&gt;</c>, or null when there is none.</summary>
    public static string? Answer(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var close = completion.LastIndexOf(ThinkClose, StringComparison.Ordinal);
        return close < 0 ? null : completion[(close + ThinkClose.Length)..];
    }

    /// <summary>The non-empty, stripped, lower-cased lines of an answer, in order (duplicates kept).</summary>
    public static IReadOnlyList<string> AnswerLines(string answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        return answer.Split('\n').Select(l => l.Trim().ToLowerInvariant()).Where(l => l.Length > 0).ToList();
    }

    /// <summary>
    /// Verify reward: 0 without <c>&lt;/think&gt;</c>; otherwise, on the text after the last one, the set F1 of its
    /// lines against the gold labels (label-set tasks) or 1/0 for a starts-with match of the first gold label.
    /// </summary>
    public static double Verify(string completion, RewardTarget target)
    {
        ArgumentNullException.ThrowIfNull(target);
        if (Answer(completion) is not { } answer)
        {
            return 0.0;
        }

        if (target.Kind == AnswerKind.StartsWith)
        {
            var gold = target.Gold.Count > 0 ? target.Gold[0].Trim().ToLowerInvariant() : string.Empty;
            return gold.Length > 0 && answer.Trim().ToLowerInvariant().StartsWith(gold, StringComparison.Ordinal) ? 1.0 : 0.0;
        }

        var predicted = AnswerLines(answer).ToHashSet(StringComparer.Ordinal);
        var labels = target.Gold.Select(g => g.Trim().ToLowerInvariant()).Where(g => g.Length > 0).ToHashSet(StringComparer.Ordinal);
        return SetF1(predicted, labels);
    }

    /// <summary>2PR/(P+R) of two sets; 0 when either is empty or they share nothing.</summary>
    public static double SetF1(IReadOnlySet<string> predicted, IReadOnlySet<string> gold)
    {
        ArgumentNullException.ThrowIfNull(predicted);
        ArgumentNullException.ThrowIfNull(gold);
        var hits = predicted.Count(gold.Contains);
        if (hits == 0)
        {
            return 0.0;
        }

        var precision = (double)hits / predicted.Count;
        var recall = (double)hits / gold.Count;
        return 2 * precision * recall / (precision + recall);
    }

    /// <summary>
    /// Format reward: −1 without <c>&lt;think&gt;</c> or <c>&lt;/think&gt;</c>; −1 when the reasoning (before the last
    /// <c>&lt;/think&gt;</c>) lacks one of <see cref="SectionHeaders"/>; −1 for duplicate answer lines; else +1.
    /// </summary>
    public static double Format(string completion)
    {
        ArgumentNullException.ThrowIfNull(completion);
        var open = completion.IndexOf(ThinkOpen, StringComparison.Ordinal);
        var close = completion.LastIndexOf(ThinkClose, StringComparison.Ordinal);
        if (open < 0 || close < 0 || close < open)
        {
            return -1.0;
        }

        var reasoning = completion[(open + ThinkOpen.Length)..close];
        if (SectionHeaders.Any(h => !reasoning.Contains(h, StringComparison.Ordinal)))
        {
            return -1.0;
        }

        var lines = AnswerLines(completion[(close + ThinkClose.Length)..]);
        return lines.Distinct(StringComparer.Ordinal).Count() != lines.Count ? -1.0 : 1.0;
    }
}
