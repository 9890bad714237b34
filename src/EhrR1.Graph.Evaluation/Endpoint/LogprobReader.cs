using EhrR1.Graph.Evaluation.Running;
using EhrR1.Graph.Reasoning.Endpoints;

namespace EhrR1.Graph.Evaluation.Endpoint;

/// <summary>
/// Reads P(yes) from a completion's per-token log-probabilities. Scanning starts after the last generated token that
/// contains <c>&lt;/think&gt;</c> (a thinking model such as Qwen3 may open with an empty think block); at the first
/// position whose token or top alternatives include "yes" or "no" (compared after trimming whitespace and lower-casing,
/// so "Yes", " yes" and "YES" all count), log P(yes) and log P(no) are the log-sum-exp of their variants and
/// P(yes) = softmax over the two. When only one of the two appears in the top list, the other gets the smallest
/// log-probability listed (an upper bound on its probability) and the source is <c>logprobs_partial</c>.
/// </summary>
public static class LogprobReader
{
    public const string Complete = "logprobs";
    public const string Partial = "logprobs_partial";

    public static (double? LogProbYes, double? LogProbNo, double? PYes, string? Source) Read(IReadOnlyList<TokenLogprob>? positions)
    {
        if (positions is null || positions.Count == 0)
        {
            return (null, null, null, null);
        }

        var start = 0;
        for (var i = positions.Count - 1; i >= 0; i--)
        {
            if (positions[i].Token.Contains("</think>", StringComparison.Ordinal))
            {
                start = i + 1;
                break;
            }
        }

        for (var i = start; i < positions.Count; i++)
        {
            var position = positions[i];
            var entries = new Dictionary<string, double>(StringComparer.Ordinal) { [position.Token] = position.Logprob };
            foreach (var alt in position.TopLogprobs ?? [])
            {
                entries.TryAdd(alt.Token, alt.Logprob);
            }

            var yes = entries.Where(e => Normal(e.Key) == "yes").Select(e => e.Value).ToList();
            var no = entries.Where(e => Normal(e.Key) == "no").Select(e => e.Value).ToList();
            if (yes.Count == 0 && no.Count == 0)
            {
                continue;
            }

            var floor = entries.Values.Min();
            var lpYes = yes.Count > 0 ? LogSumExp(yes) : floor;
            var lpNo = no.Count > 0 ? LogSumExp(no) : floor;
            return (lpYes, lpNo, YesNoProbability.FromLogProbs(lpYes, lpNo), yes.Count > 0 && no.Count > 0 ? Complete : Partial);
        }

        return (null, null, null, null);
    }

    private static string Normal(string token) => token.Trim().ToLowerInvariant();

    private static double LogSumExp(List<double> values)
    {
        var m = values.Max();
        return m + Math.Log(values.Sum(v => Math.Exp(v - m)));
    }
}
