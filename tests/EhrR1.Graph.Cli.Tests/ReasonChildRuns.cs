using System.Globalization;
using System.Text.Json;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>What the child-process tests of <c>reason</c> share: lab samples, the chain the fake endpoint answers with,
/// and the command line with a test key and no settings of the person running the tests.</summary>
internal static class ReasonChildRuns
{
    public const string Chain = "## Extraction\n**Lab [2150-01-01 00:00]**: value\n\n## Reasoning\nThe value points to A.\n\n## Final Results\nA";

    public static Task WriteSamplesAsync(string path, int total) =>
        File.WriteAllLinesAsync(path, Enumerable.Range(0, total).Select(i => JsonSerializer.Serialize(new
        {
            idx = i,
            sample_id = "labevents:" + i.ToString(CultureInfo.InvariantCulture) + ":1",
            instruction = "Which tests?",
            input = "## Lab [2150-01-01 00:00]\nvalue " + i.ToString(CultureInfo.InvariantCulture),
            output = "A",
            candidates = new[] { "A" },
            task_info = new { task = "labevents", task_type = "decision_making", label = new[] { "A" } },
        })));

    public static ChildCli Start(string samples, string outDir, Uri endpoint, string client) =>
        ChildCli.Start(
            ["reason", "--samples", samples, "--out", outDir, "--prompt", "without-graph", "--n", "1", "--endpoint", endpoint.AbsoluteUri, "--concurrency", "4", "--client", client],
            new Dictionary<string, string> { ["EHRR1_LLM_PROVIDER"] = "openai", ["EHRR1_LLM_API_KEY"] = "test-key" });
}
