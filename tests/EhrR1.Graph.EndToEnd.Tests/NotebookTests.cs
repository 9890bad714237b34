using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.EndToEnd.Tests;

/// <summary>
/// Every code cell of every notebook in notebooks/ runs, in order, on the real .NET Interactive C# kernel
/// (<see cref="NotebookKernel"/>) in the clean copy where the main command ran, against its run folder; then each
/// notebook's key outputs are checked as the kernel formatted them (HTML tables, inline charts, path text).
/// </summary>
[Collection(DemoRunGroup.Name)]
public sealed partial class NotebookTests(DemoRunFixture demo)
{
    private const string PlotImage = "<img src=\"data:image/png;base64,";

    public static TheoryData<string> Notebooks()
    {
        var data = new TheoryData<string>();
        foreach (var path in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, "notebooks"), "*.ipynb").Order(StringComparer.Ordinal))
        {
            data.Add(Path.GetFileName(path));
        }

        return data;
    }

    [Fact]
    public void Notebooks_AreThere() => Notebooks().Should().HaveCount(4);

    [Theory]
    [MemberData(nameof(Notebooks))]
    public void Notebook_PinsTheSolutionsPackageVersions(string notebook)
    {
        // Given the versions Directory.Packages.props pins
        var pinned = XDocument.Load(Path.Combine(TestPaths.RepoRoot, "Directory.Packages.props")).Descendants("PackageVersion")
            .ToDictionary(e => (string)e.Attribute("Include")!, e => (string)e.Attribute("Version")!, StringComparer.OrdinalIgnoreCase);

        // When the notebook's cells are read
        using var doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "notebooks", notebook)));
        var sources = doc.RootElement.GetProperty("cells").EnumerateArray()
            .Where(c => c.GetProperty("cell_type").GetString() == "code")
            .Select(c => string.Concat(c.GetProperty("source").EnumerateArray().Select(l => l.GetString())));

        // Then every #r "nuget: Name, Version" names a package of the solution at its version
        foreach (Match reference in sources.SelectMany(s => NugetReference().Matches(s)))
        {
            var parts = reference.Groups["spec"].Value.Split(',', StringSplitOptions.TrimEntries);
            parts.Should().HaveCount(2, $"{notebook}: pin the package version in `#r \"nuget: Name, Version\"`");
            pinned.Should().ContainKey(parts[0], $"{notebook}: {parts[0]} should be a package of the solution");
            parts[1].Should().Be(pinned[parts[0]], $"{notebook}: pin the version the solution uses");
        }
    }

    [Fact]
    [Trait("Category", "Slow")]
    public async Task Notebook_WithoutARunFolder_FirstCellSaysWhatToRun()
    {
        // Given a run folder that does not exist
        using var temp = new TempDirectory("ehrr1-nb-");
        Environment.SetEnvironmentVariable("EHRR1_RUN", temp.Combine("no-run"));
        try
        {
            // When a notebook runs on the kernel
            var act = () => NotebookKernel.RunAsync(Path.Combine(TestPaths.RepoRoot, "notebooks", "01-knowledge-graph.ipynb"), CancellationToken.None);

            // Then its first code cell fails, saying what to run
            (await act.Should().ThrowAsync<InvalidOperationException>())
                .WithMessage("01-knowledge-graph.ipynb, code cell 1 failed*bash scripts/demo.sh*");
        }
        finally
        {
            Environment.SetEnvironmentVariable("EHRR1_RUN", null);
        }
    }

    [RequiresDataTheory]
    [Trait("Category", "Slow")]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_EveryCodeCellRunsOnTheKernel(string notebook)
    {
        // Given the main command's run folder and the Release build next to the notebooks (the clean copy's), or
        // EHRR1_NOTEBOOK_RUN: an existing run folder, with the notebooks and the Release build of this working tree
        var notebooks = Path.Combine(TestPaths.RepoRoot, "notebooks");
        var runDir = Environment.GetEnvironmentVariable("EHRR1_NOTEBOOK_RUN") is { Length: > 0 } own ? Path.GetFullPath(own, TestPaths.RepoRoot) : null;
        if (runDir is null)
        {
            demo.First.ExitCode.Should().Be(0, demo.First.Tail());
            runDir = demo.RunDir;
            notebooks = Path.Combine(demo.Clone, "notebooks");
        }

        // When every code cell runs on the kernel, as a user's "Run All" with EHRR1_RUN set
        Environment.SetEnvironmentVariable("EHRR1_RUN", runDir);
        NotebookRun run;
        try
        {
            run = await NotebookKernel.RunAsync(Path.Combine(notebooks, notebook), CancellationToken.None);
        }
        finally
        {
            Environment.SetEnvironmentVariable("EHRR1_RUN", null);
        }

        // Then no table is empty and the notebook shows what it is for
        run.Outputs.Should().NotBeEmpty();
        run.Html.Should().NotContain(h => h.Contains("<tbody></tbody>", StringComparison.Ordinal) || h.Contains("<i>(empty)</i>", StringComparison.Ordinal), "every table a notebook shows should have rows on the demo run");
        ExpectedOutputs(run);
    }

    /// <summary>What each notebook is for, as the kernel formatted it (HTML for tables and charts, text for strings).</summary>
    private static void ExpectedOutputs(NotebookRun run)
    {
        var tables = run.Html.Where(h => h.Contains("<table", StringComparison.Ordinal)).ToList();
        var charts = run.Html.Count(h => h.StartsWith(PlotImage, StringComparison.Ordinal));
        switch (run.Notebook)
        {
            case "01-knowledge-graph.ipynb":
                tables.Should().Contain(h => h.Contains("kind = concepts", StringComparison.Ordinal), "the graph's counts show as a table");
                tables.Should().Contain(h => h.Contains("maxLift", StringComparison.Ordinal), "the co-occurrence edges per task show as a table");
                charts.Should().Be(1, "the lift histogram shows inline");
                break;
            case "02-thinking-graphs.ipynb":
                tables.Should().Contain(h => h.Contains("status = graph", StringComparison.Ordinal), "the status table counts the samples with a graph");
                run.Text.Should().Contain(t => HopByHop().IsMatch(t), "one sample's paths show hop by hop");
                run.Text.Should().Contain(t => t.Contains("]→ ", StringComparison.Ordinal), "the sample's prompt text shows");
                charts.Should().Be(1, "the attrition chart shows inline");
                break;
            case "03-training-and-evaluation.ipynb":
                run.Text.Should().Contain(t => t.Contains(" steps, loss ", StringComparison.Ordinal), "the training run is summed up");
                tables.Should().Contain(h => h.Contains("primary", StringComparison.Ordinal) || h.Contains("metric = ", StringComparison.Ordinal), "the per-task results show as a table");
                charts.Should().Be(2, "the loss curve and the ROC curve show inline");
                break;
            case "04-typed-evidence-path.ipynb":
                tables.Should().Contain(h => h.Contains("<pre>Clinical</pre>", StringComparison.Ordinal) || h.Contains("<pre>DrugClass</pre>", StringComparison.Ordinal), "the hop table shows a typed relation");
                tables.Should().Contain(h => h.Contains("source_is", StringComparison.Ordinal), "each hop shows its knowledge source");
                var path = run.Text.Single(t => t.StartsWith('[') && t.Contains("—[", StringComparison.Ordinal) && !t.Contains('\n', StringComparison.Ordinal));
                run.Text.Should().Contain(t => t.StartsWith("==================== MEDICAL KNOWLEDGE PATHS", StringComparison.Ordinal) && t.Contains(path, StringComparison.Ordinal), "the prompt's knowledge block holds the path the notebook walked");
                break;
            default:
                throw new InvalidOperationException($"{run.Notebook} is new: say in {nameof(NotebookTests)} what it should show.");
        }
    }

    [GeneratedRegex("^\\[[a-z_]+\\] .+ -\\[[a-z_]+ · [A-Z0-9_+]+\\]-> ")]
    private static partial Regex HopByHop();

    [GeneratedRegex("^\\s*#r\\s+\"nuget:(?<spec>[^\"]*)\"", RegexOptions.Multiline)]
    private static partial Regex NugetReference();
}
