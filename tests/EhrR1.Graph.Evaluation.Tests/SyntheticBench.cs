using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EhrR1.Graph.Evaluation.Tests;

/// <summary>Writes small EHR-Bench files in our export format for end-to-end tests.</summary>
internal static class SyntheticBench
{
    public const string RiskTask = "ICU_Mortality_1day";
    public const string SetTask = "labevents";

    /// <summary>
    /// <paramref name="risk"/> risk samples whose input carries "score=S" (the fake models answer P(yes) = S; labels
    /// drawn with probability S, so AUROC &gt; 0.5) and <paramref name="decision"/> labevents samples.
    /// </summary>
    public static void Write(string path, int risk, int decision, int seed = 3)
    {
        var rng = new Random(seed);
        using var w = new StreamWriter(path);
        var idx = 0;
        for (var i = 0; i < decision; i++)
        {
            var labels = new[] { "Glucose", "Sodium", "Potassium", "Chloride", "Hemoglobin" }.Take(1 + (i % 4)).ToArray();
            w.WriteLine(Record(idx++, SetTask + ":" + (20000 + i).ToString(CultureInfo.InvariantCulture) + ":5", SetTask, "decision_making", "em", "## Labs\n- case " + i.ToString(CultureInfo.InvariantCulture), labels));
        }

        for (var i = 0; i < risk; i++)
        {
            var score = Math.Round(rng.NextDouble(), 3);
            var label = rng.NextDouble() < score ? "yes" : "no";
            w.WriteLine(Record(idx++, RiskTask + ":" + (10000 + i).ToString(CultureInfo.InvariantCulture) + ":3", RiskTask, "risk_prediction", "aucroc", "## ICUstays\nscore=" + score.ToString("F3", CultureInfo.InvariantCulture), [label]));
        }
    }

    /// <summary>The fake model's P(yes) for a prompt: the "score=" value in it.</summary>
    public static double ScoreIn(string prompt)
    {
        var i = prompt.IndexOf("score=", StringComparison.Ordinal);
        return double.Parse(prompt.AsSpan(i + 6, 5), CultureInfo.InvariantCulture);
    }

    private static string Record(int idx, string sampleId, string task, string type, string metric, string input, string[] labels)
    {
        var o = new JsonObject
        {
            ["idx"] = idx,
            ["sample_id"] = sampleId,
            ["instruction"] = "Given the sequence of events that have occurred in a hospital, please give the next suggestion.",
            ["input"] = input,
            ["output"] = string.Join("\n", labels),
            ["candidates"] = type == "risk_prediction" ? new JsonArray("yes", "no") : new JsonArray(labels.Select(l => (JsonNode)l!).ToArray()),
            ["task_info"] = new JsonObject
            {
                ["task"] = task,
                ["task_type"] = type,
                ["metric"] = metric,
                ["label"] = type == "risk_prediction" ? labels[0] : new JsonArray(labels.Select(l => (JsonNode)l!).ToArray()),
            },
        };
        return o.ToJsonString(new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
    }
}
