using Microsoft.DotNet.Interactive;
using Microsoft.DotNet.Interactive.Commands;
using Microsoft.DotNet.Interactive.CSharp;
using Microsoft.DotNet.Interactive.Documents;
using Microsoft.DotNet.Interactive.Documents.Jupyter;
using Microsoft.DotNet.Interactive.Events;
using Microsoft.DotNet.Interactive.Formatting;
using Microsoft.DotNet.Interactive.PackageManagement;

namespace EhrR1.Graph.EndToEnd.Tests;

/// <summary>
/// Runs a notebook's code cells in order on the real .NET Interactive C# kernel, hosted in this process with what the
/// <c>dotnet-interactive</c> tool behind VS Code and Jupyter gives it and the notebooks use: <c>#r "nuget: …"</c>,
/// the kernel helpers (<c>display</c>, <c>HTML</c>), value sharing, the default formatters, and the notebook's
/// folder as the working directory. <c>#r</c> lines, magic commands and formatting are the kernel's own.
/// </summary>
internal static class NotebookKernel
{
    private static readonly KernelInfoCollection Kernels = [new Microsoft.DotNet.Interactive.Documents.KernelInfo("csharp", languageName: "C#", aliases: ["c#", "C#"])];

    // A kernel that restored a package with native libraries (ScottPlot's SkiaSharp) resolves them for the whole
    // process until it is disposed; objects its cells made may be finalized later and call into them. The tool runs
    // one kernel per process, so here each kernel lives as long as the test process does.
    private static readonly List<Kernel> Alive = [];

    public static async Task<NotebookRun> RunAsync(string notebookPath, CancellationToken cancellationToken)
    {
        var name = Path.GetFileName(notebookPath);
        var document = Notebook.Parse(await File.ReadAllTextAsync(notebookPath, cancellationToken), Kernels);
        var cells = document.Elements.Where(e => e.KernelName is not "markdown").ToList();
        cells.Should().NotBeEmpty($"{name} should have code cells");
        cells.Should().OnlyContain(e => e.KernelName == "csharp", $"every code cell of {name} is C# (kernel csharp)");

        Formatter.ResetToDefault();
        var csharp = new CSharpKernel()
            .UseNugetDirective(
                (k, resolved) =>
                {
                    k.AddAssemblyReferences(resolved.SelectMany(r => r.AssemblyPaths));
                    return Task.CompletedTask;
                },
                forceRestore: false)
            .UseKernelHelpers()
            .UseValueSharing();
        var kernel = new CompositeKernel { csharp };
        kernel.DefaultKernelName = csharp.Name;
        lock (Alive)
        {
            Alive.Add(kernel);
        }

        var previous = Directory.GetCurrentDirectory();
        try
        {
            // The folder the kernel starts in when VS Code or Jupyter opens the notebook.
            Directory.SetCurrentDirectory(Path.GetDirectoryName(Path.GetFullPath(notebookPath))!);
            var outputs = new List<CellOutput>();
            for (var i = 0; i < cells.Count; i++)
            {
                var result = await kernel.SendAsync(new SubmitCode(cells[i].Contents, csharp.Name), cancellationToken);
                Expect(result, name, i + 1);
                foreach (var shown in result.Events.OfType<DisplayEvent>().Where(e => e is not DisplayedValueUpdated))
                {
                    outputs.Add(new CellOutput(i + 1, shown.FormattedValues.ToDictionary(v => v.MimeType, v => v.Value, StringComparer.Ordinal)));
                }
            }

            return new NotebookRun(name, outputs);
        }
        finally
        {
            Directory.SetCurrentDirectory(previous);
        }
    }

    /// <summary>Fails with the notebook, the code cell (1-based, markdown cells not counted) and the kernel's error.</summary>
    private static void Expect(KernelCommandResult result, string notebook, int cell)
    {
        if (result.Events.OfType<CommandFailed>().FirstOrDefault() is { } failed)
        {
            var diagnostics = result.Events.OfType<DiagnosticsProduced>().SelectMany(d => d.Diagnostics).Select(d => d.ToString());
            throw new InvalidOperationException($"{notebook}, code cell {cell} failed on the .NET Interactive kernel: {failed.Message} {string.Join("; ", diagnostics)}".TrimEnd(), failed.Exception);
        }
    }
}

/// <summary>What a notebook showed: each displayed or returned value with its formatted values by MIME type.</summary>
internal sealed record NotebookRun(string Notebook, IReadOnlyList<CellOutput> Outputs)
{
    /// <summary>The HTML of every display, in order.</summary>
    public IEnumerable<string> Html => Outputs.Select(o => o.Html).OfType<string>();

    /// <summary>The plain text of every display, in order.</summary>
    public IEnumerable<string> Text => Outputs.Select(o => o.Text).OfType<string>();
}

/// <summary>One displayed value of code cell <see cref="Cell"/> (1-based).</summary>
internal sealed record CellOutput(int Cell, IReadOnlyDictionary<string, string> Formatted)
{
    public string? Html => Formatted.GetValueOrDefault(HtmlFormatter.MimeType);

    public string? Text => Formatted.GetValueOrDefault(PlainTextFormatter.MimeType);
}
