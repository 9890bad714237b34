namespace EhrR1.Graph.Cli.Run;

/// <summary>
/// One step of <c>ehr-graph run</c>: a stage command invoked in-process with arguments built from the run folder.
/// <see cref="Inputs"/> and <see cref="Outputs"/> are paths relative to the run folder or absolute; a step is skipped when
/// its arguments and input fingerprints are unchanged since its last success and its outputs exist.
/// </summary>
/// <param name="Name">Step name, also the key of its section in <c>run.json</c> (e.g. "tasks-index").</param>
/// <param name="Command">The command words, e.g. ["tasks", "index"].</param>
/// <param name="Arguments">Options built from the run context.</param>
/// <param name="Inputs">Files or folders the step reads.</param>
/// <param name="Outputs">Files or folders the step writes.</param>
/// <param name="Enabled">False to leave the step out (e.g. Neo4j load without --neo4j).</param>
/// <param name="DisabledReason">Why the step is left out, shown in the summary.</param>
/// <param name="CleanOutputs">Delete the outputs before running (for stages that resume from what they find).</param>
internal sealed record PipelineStep(
    string Name,
    IReadOnlyList<string> Command,
    IReadOnlyList<string> Arguments,
    IReadOnlyList<string> Inputs,
    IReadOnlyList<string> Outputs,
    bool Enabled = true,
    string? DisabledReason = null,
    bool CleanOutputs = false)
{
    /// <summary>An input or output path of a step, resolved against the run folder when it is relative.</summary>
    public static string Resolve(string runDirectory, string path) =>
        Path.IsPathRooted(path) ? path : Path.Combine(runDirectory, path);
}
