namespace EhrR1.Graph.Cli.Hosting;

/// <summary>
/// A group of commands contributed by one stage. Modules are discovered by reflection (ordered by name),
/// so adding a stage never touches a shared file.
/// </summary>
internal interface ICliModule
{
    void Register(CommandTree tree, CliContext context);
}
