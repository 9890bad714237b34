using System.Text.Json;

namespace EhrR1.Graph.Reasoning.Tests.Support;

/// <summary>Builds chains the way a well-behaved model would answer our prompts, from the request itself.</summary>
internal static class FakeChains
{
    public static string LabelsFromPrompt(string prompt)
    {
        const string marker = "ANSWER TO EXPLAIN ====================\n";
        var start = prompt.IndexOf(marker, StringComparison.Ordinal) + marker.Length;
        var end = prompt.IndexOf("\n\n====", start, StringComparison.Ordinal);
        return prompt[start..end];
    }

    public static string Good(JsonElement body, int index)
    {
        var prompt = body.GetProperty("messages")[0].GetProperty("content").GetString()!;
        var labels = LabelsFromPrompt(prompt);
        return "## Extraction\n**Lab Results [2153-07-07 08:00]**: finding " + index + "\n\n## Reasoning\nThe findings point to the result.\n\n## Final Results\n" + labels;
    }
}
