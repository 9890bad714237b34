using System.Text.Json.Nodes;
using EhrR1.Graph.Evaluation.Running;

namespace EhrR1.Graph.Evaluation.Endpoint;

/// <summary>
/// Reads P(yes) from a chat completion's <c>logprobs.content</c>: at the first generated position whose token or
/// top alternatives include "yes" or "no" (compared after trimming whitespace and lower-casing, so "Yes", " yes" and
/// "YES" all count), log P(yes) and log P(no) are the log-sum-exp of their variants, and P(yes) = softmax over the two.
/// When only one of the two appears in the top list, the other is given the smallest log-probability listed (an upper
/// bound on its probability), and the source is <c>logprobs_partial</c>.
/// </summary>
public static class LogprobReader
{
    public static (double? LogProbYes, double? LogProbNo, double? PYes, string? Source) Read(JsonNode? logprobs)
    {
        if (logprobs?["content"] is not JsonArray content)
        {
            return (null, null, null, null);
        }

        foreach (var position in content)
        {
            if (position is null)
            {
                continue;
            }

            var entries = new List<(string Token, double LogProb)>();
            if (position["token"]?.GetValue<string>() is { } t && position["logprob"] is { } lp)
            {
                entries.Add((t, lp.GetValue<double>()));
            }

            if (position["top_logprobs"] is JsonArray top)
            {
                foreach (var alt in top)
                {
                    if (alt?["token"]?.GetValue<string>() is { } at && alt["logprob"] is { } alp)
                    {
                        entries.Add((at, alp.GetValue<double>()));
                    }
                }
            }

            // the chosen token also appears among the alternatives: count each token string once
            var distinct = entries.GroupBy(e => e.Token, StringComparer.Ordinal).Select(g => g.First()).ToList();
            var yes = distinct.Where(e => Normal(e.Token) == "yes").Select(e => e.LogProb).ToList();
            var no = distinct.Where(e => Normal(e.Token) == "no").Select(e => e.LogProb).ToList();
            if (yes.Count == 0 && no.Count == 0)
            {
                continue;
            }

            var floor = distinct.Min(e => e.LogProb);
            var lpYes = yes.Count > 0 ? LogSumExp(yes) : floor;
            var lpNo = no.Count > 0 ? LogSumExp(no) : floor;
            var source = yes.Count > 0 && no.Count > 0 ? "logprobs" : "logprobs_partial";
            return (lpYes, lpNo, YesNoProbability.FromLogProbs(lpYes, lpNo), source);
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
