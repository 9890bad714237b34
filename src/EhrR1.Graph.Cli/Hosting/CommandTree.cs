using System.CommandLine;

namespace EhrR1.Graph.Cli.Hosting;

/// <summary>The root command plus get-or-add access to noun groups (<c>graph</c>, <c>umls</c>, <c>tasks</c>, ...).</summary>
internal sealed class CommandTree(RootCommand root)
{
    public RootCommand Root { get; } = root;

    /// <summary>Returns the command at <paramref name="path"/> (e.g. "graph"), creating groups as needed.</summary>
    public Command Group(string path, string description)
    {
        Command current = Root;
        foreach (var part in path.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var next = current.Subcommands.FirstOrDefault(c => string.Equals(c.Name, part, StringComparison.Ordinal));
            if (next is null)
            {
                next = new Command(part, description);
                current.Subcommands.Add(next);
            }

            current = next;
        }

        return current;
    }
}
