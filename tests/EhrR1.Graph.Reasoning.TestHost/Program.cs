using System.Globalization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Reasoning.Synthesis;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Reasoning.TestHost;

internal static class Program
{
    /// <summary>Usage: SAMPLES OUT_DIR ENDPOINT CONCURRENCY. Exit codes as the CLI: 0 ok, 2 service failure.</summary>
    public static async Task<int> Main(string[] args)
    {
        var settings = new ReasoningSettings
        {
            SamplesPath = args[0],
            OutputDirectory = args[1],
            Prompt = "without-graph",
            N = 1,
            Endpoint = new ChatEndpointOptions
            {
                Endpoint = new Uri(args[2]),
                ApiKey = "test-key",
                MaxConcurrency = int.Parse(args[3], CultureInfo.InvariantCulture),
                InitialBackoff = TimeSpan.FromMilliseconds(20),
            },
        };
        try
        {
            await new ReasoningStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);
            return 0;
        }
        catch (EhrR1GraphException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return ex.ExitCode;
        }
    }
}
