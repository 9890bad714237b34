using System.Collections;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EhrR1.Graph.Knowledge.Graph;
using Microsoft.CodeAnalysis.CSharp.Scripting;
using Microsoft.CodeAnalysis.Scripting;

namespace EhrR1.Graph.EndToEnd.Tests;

/// <summary>
/// Runs the C# code cells of a Polyglot (.NET Interactive) notebook in order, in one Roslyn script session, the way
/// the C# kernel does: top-level <c>await</c>, state carried from cell to cell, the kernel's <c>display</c> and
/// <c>HTML</c> helpers (<see cref="NotebookGlobals"/>). <c>#r</c> lines are checked rather than executed: a
/// <c>#r "path.dll"</c> must name an assembly that exists at that path relative to the notebook (after a Release
/// build) and that this test references; a <c>#r "nuget: Name, Version"</c> must pin the version that
/// Directory.Packages.props pins.
/// </summary>
internal static partial class NotebookRunner
{
    private static readonly string[] KernelImports = ["System", "System.Collections.Generic", "System.Linq", "System.Text", "System.Threading.Tasks"];

    public static async Task<NotebookGlobals> RunAsync(string notebookPath, string repoRoot)
    {
        var cells = ReadCodeCells(notebookPath);
        cells.Should().NotBeEmpty($"{Path.GetFileName(notebookPath)} should have C# code cells");

        var packages = CentralPackageVersions(Path.Combine(repoRoot, "Directory.Packages.props"));
        var options = ScriptOptions.Default
            .WithReferences(typeof(KnowledgeGraph).Assembly, typeof(Core.Concepts.GraphConcept).Assembly, typeof(ScottPlot.Plot).Assembly, typeof(JsonDocument).Assembly)
            .WithImports(KernelImports)
            .WithEmitDebugInformation(false);
        var globals = new NotebookGlobals();
        ScriptState<object>? state = null;
        for (var i = 0; i < cells.Count; i++)
        {
            var code = CheckDirectives(cells[i], notebookPath, packages, i + 1);
            try
            {
                state = state is null
                    ? await CSharpScript.RunAsync(code, options, globals, typeof(NotebookGlobals))
                    : await state.ContinueWithAsync(code, options);
            }
            catch (CompilationErrorException e)
            {
                throw new InvalidOperationException($"{Path.GetFileName(notebookPath)}, code cell {i + 1} does not compile: {string.Join("; ", e.Diagnostics)}", e);
            }
            catch (Exception e) when (e is not InvalidOperationException)
            {
                throw new InvalidOperationException($"{Path.GetFileName(notebookPath)}, code cell {i + 1} threw {e.GetType().Name}: {e.Message}", e);
            }

            if (state.ReturnValue is { } value)
            {
                globals.display(value);
            }
        }

        return globals;
    }

    /// <summary>The sources of the notebook's code cells (C# only; other kernels are not allowed in these notebooks).</summary>
    public static List<string> ReadCodeCells(string notebookPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(notebookPath));
        var cells = new List<string>();
        foreach (var cell in doc.RootElement.GetProperty("cells").EnumerateArray())
        {
            if (cell.GetProperty("cell_type").GetString() != "code")
            {
                continue;
            }

            if (cell.TryGetProperty("metadata", out var meta) && meta.TryGetProperty("polyglot_notebook", out var pn)
                && pn.TryGetProperty("kernelName", out var kernel))
            {
                kernel.GetString().Should().Be("csharp", $"every code cell of {Path.GetFileName(notebookPath)} is C#");
            }

            var source = cell.GetProperty("source");
            cells.Add(source.ValueKind == JsonValueKind.Array ? string.Concat(source.EnumerateArray().Select(s => s.GetString())) : source.GetString() ?? string.Empty);
        }

        return cells;
    }

    private static string CheckDirectives(string cell, string notebookPath, IReadOnlyDictionary<string, string> packages, int number)
    {
        var lines = cell.Split('\n');
        for (var i = 0; i < lines.Length; i++)
        {
            var match = ReferenceDirective().Match(lines[i]);
            if (!match.Success)
            {
                continue;
            }

            var target = match.Groups["target"].Value;
            if (target.StartsWith("nuget:", StringComparison.Ordinal))
            {
                var parts = target["nuget:".Length..].Split(',', StringSplitOptions.TrimEntries);
                parts.Should().HaveCount(2, $"cell {number}: pin the package version in `#r \"nuget: Name, Version\"`");
                packages.Should().ContainKey(parts[0], $"cell {number}: {parts[0]} should be a package of the solution");
                parts[1].Should().Be(packages[parts[0]], $"cell {number}: the notebook should pin the version the solution uses");
            }
            else
            {
                var onDisk = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(notebookPath)!, target));
                File.Exists(onDisk).Should().BeTrue($"cell {number}: `#r \"{target}\"` should exist after the Release build (scripts/demo.sh builds it)");
                File.Exists(Path.Combine(AppContext.BaseDirectory, Path.GetFileName(onDisk))).Should().BeTrue($"cell {number}: this test should reference {Path.GetFileName(onDisk)}");
            }

            lines[i] = string.Empty; // keep line numbers of later lines
        }

        return string.Join('\n', lines);
    }

    private static Dictionary<string, string> CentralPackageVersions(string propsPath) =>
        XDocument.Load(propsPath).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

    [GeneratedRegex("^\\s*#r\\s+\"(?<target>[^\"]+)\"\\s*$")]
    private static partial Regex ReferenceDirective();
}

/// <summary>The globals a .NET Interactive C# cell sees that a plain script does not: <c>display</c> and <c>HTML</c>.</summary>
public sealed class NotebookGlobals
{
    /// <summary>Everything displayed, in order (sequences are materialised, as the kernel's formatter does).</summary>
    public List<object?> Displayed { get; } = [];

#pragma warning disable IDE1006, CA1822 // the kernel's names
    /// <summary>Shows a value below the cell.</summary>
    public object? display(object? value)
    {
        if (value is IEnumerable sequence and not string)
        {
            value = sequence.Cast<object?>().ToList();
        }

        Displayed.Add(value);
        return value;
    }

    /// <summary>Marks a string as HTML for display.</summary>
    public HtmlContent HTML(string html) => new(html);
#pragma warning restore IDE1006, CA1822
}

/// <summary>HTML shown by <see cref="NotebookGlobals.display"/>.</summary>
public sealed record HtmlContent(string Html)
{
    public override string ToString() => Html;
}
