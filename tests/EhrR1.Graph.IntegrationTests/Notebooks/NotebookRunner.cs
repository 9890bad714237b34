using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace EhrR1.Graph.IntegrationTests.Notebooks;

/// <summary>Runs notebook code cells in order in one Roslyn scripting session, as a notebook kernel would.</summary>
internal static class NotebookRunner
{
    /// <summary>Globals visible to every cell: the run folder the notebook explores.</summary>
    public sealed class Globals
    {
        public required string RunDirectory { get; init; }
    }

    public static async Task<IReadOnlyList<object?>> RunAsync(string notebookPath, string runDirectory, CancellationToken cancellationToken)
    {
        var assemblies = AppDomain.CurrentDomain.GetAssemblies()
            .Where(a => !a.IsDynamic && !string.IsNullOrEmpty(a.Location))
            .Where(a => a.GetName().Name is { } n && (n.StartsWith("EhrR1.Graph", StringComparison.Ordinal) || n == "ehr-graph"));
        var options = ScriptOptions.Default
            .AddReferences(assemblies)
            .AddReferences(typeof(System.Text.Json.JsonDocument).Assembly, typeof(Enumerable).Assembly)
            .AddImports("System", "System.IO", "System.Linq", "System.Collections.Generic", "System.Text.Json", "System.Globalization");
        var results = new List<object?>();
        ScriptState<object>? state = null;
        var globals = new Globals { RunDirectory = runDirectory };
        var index = 0;
        foreach (var cell in NotebookCells.ReadCodeCells(notebookPath))
        {
            index++;
            try
            {
                state = state is null
                    ? await CSharpScript.RunAsync(cell, options, globals, typeof(Globals), cancellationToken)
                    : await state.ContinueWithAsync(cell, options, cancellationToken);
            }
            catch (CompilationErrorException ex)
            {
                throw new InvalidOperationException($"{Path.GetFileName(notebookPath)} cell {index} does not compile: {string.Join("; ", ex.Diagnostics)}", ex);
            }

            results.Add(state.ReturnValue);
        }

        return results;
    }
}
