using System.CommandLine;
using EhrR1.Graph.Core.Errors;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Cli.Hosting;

/// <summary>Builds the command tree and runs it, mapping outcomes to the documented exit codes.</summary>
internal static class CliApp
{
    public const string ExitCodeHelp =
        "Exit codes: 0 success; 1 bad input or settings (fixable by the user); 2 an external service (Neo4j, LLM) " +
        "was unavailable or failed after retries; 3 unexpected internal error (a bug); 130 cancelled.";

    public static readonly Option<bool> VerboseOption = new("--verbose")
    {
        Description = "Log at debug level.",
        Recursive = true,
    };

    public static readonly Option<bool> QuietOption = new("--quiet")
    {
        Description = "Log warnings and errors only.",
        Recursive = true,
    };

    public static RootCommand BuildRoot(CliContext context)
    {
        var root = new RootCommand(
            "ehr-graph: turns MIMIC-IV electronic health records into knowledge-graph-guided clinical reasoning data, " +
            "and trains and evaluates EHR-R1 models on it. " + ExitCodeHelp);
        root.Options.Add(VerboseOption);
        root.Options.Add(QuietOption);
        var tree = new CommandTree(root);
        foreach (var module in DiscoverModules())
        {
            module.Register(tree, context);
        }

        return root;
    }

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, CancellationToken cancellationToken)
    {
        var errorIsTerminal = ReferenceEquals(error, Console.Error) && !Console.IsErrorRedirected
            && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));
        var context = new CliContext(output, error, errorIsTerminal);
        var root = BuildRoot(context);
        var parse = root.Parse(args);
        if (parse.GetValue(VerboseOption))
        {
            context.MinimumLevel = LogLevel.Debug;
        }
        else if (parse.GetValue(QuietOption))
        {
            context.MinimumLevel = LogLevel.Warning;
        }

        var config = new InvocationConfiguration
        {
            Output = output,
            Error = error,
            EnableDefaultExceptionHandler = false,
            // Signals are handled by TerminationSignals (Program), which passes them in as cancellationToken.
            ProcessTerminationTimeout = null,
        };
        try
        {
            return await parse.InvokeAsync(config, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            error.WriteLine("cancelled.");
            return ExitCodes.Cancelled;
        }
        catch (EhrR1GraphException ex)
        {
            error.WriteLine($"error [{ex.Code}]: {ex.Message}");
            return ex.ExitCode;
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count == 1 && ex.InnerException is EhrR1GraphException inner)
        {
            error.WriteLine($"error [{inner.Code}]: {inner.Message}");
            return inner.ExitCode;
        }
#pragma warning disable CA1031 // the top-level handler maps environment faults to 1 and every other exception to 3
        catch (Exception ex) when (EnvironmentFaults.Describe(ex) is { } fault)
        {
            error.WriteLine($"error [EHR-ENV-001]: {fault}");
            return ExitCodes.BadInput;
        }
        catch (Exception ex)
#pragma warning restore CA1031
        {
            error.WriteLine("unexpected error (this is a bug in ehr-graph; please report it with the lines below):");
            error.WriteLine(ex.ToString());
            return ExitCodes.InternalError;
        }
    }

    private static IEnumerable<ICliModule> DiscoverModules() =>
        typeof(CliApp).Assembly.GetTypes()
            .Where(t => typeof(ICliModule).IsAssignableFrom(t) && t is { IsAbstract: false, IsInterface: false })
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (ICliModule)Activator.CreateInstance(t)!);
}
