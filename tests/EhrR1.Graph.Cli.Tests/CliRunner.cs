using EhrR1.Graph.Cli.Hosting;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>Runs <c>ehr-graph</c> in-process and captures stdout, stderr and the exit code.</summary>
internal static class CliRunner
{
    public static async Task<(int Code, string Stdout, string Stderr)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs and fails the test with the command's stderr when it does not exit 0.</summary>
    public static async Task<string> RunOk(params string[] args)
    {
        var (code, stdout, stderr) = await Run(args);
        code.Should().Be(0, "ehr-graph {0} failed: {1}", string.Join(' ', args.Take(2)), stderr);
        return stdout;
    }
}
