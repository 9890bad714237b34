using System.CommandLine;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph version</c>: prints the tool version.</summary>
internal sealed class VersionModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var cmd = new Command("version", "Print the tool version.");
        cmd.SetAction((_, _) =>
        {
            context.Output.WriteLine(RunManifest.CurrentToolVersion);
            return Task.FromResult(0);
        });
        tree.Root.Subcommands.Add(cmd);
    }
}
