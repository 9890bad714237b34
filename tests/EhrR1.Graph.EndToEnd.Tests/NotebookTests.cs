using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.EndToEnd.Tests;

/// <summary>
/// Every code cell of every notebook in notebooks/ runs against the run folder of the main command (or the run folder
/// named by <c>EHRR1_NOTEBOOK_RUN</c>).
/// </summary>
[Collection(DemoRunGroup.Name)]
public sealed class NotebookTests(DemoRunFixture demo)
{
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
    public void Notebooks_AreThere() => Notebooks().Should().HaveCountGreaterThanOrEqualTo(3);

    [RequiresDataTheory]
    [MemberData(nameof(Notebooks))]
    public async Task Notebook_EveryCodeCellRuns(string notebook)
    {
        // EHRR1_NOTEBOOK_RUN: check the notebooks against an existing run folder instead of a fresh demo run.
        var runDir = Environment.GetEnvironmentVariable("EHRR1_NOTEBOOK_RUN") is { Length: > 0 } own ? Path.GetFullPath(own, TestPaths.RepoRoot) : null;
        if (runDir is null)
        {
            demo.First.ExitCode.Should().Be(0, demo.First.Tail());
            runDir = demo.RunDir;
        }

        Environment.SetEnvironmentVariable("EHRR1_RUN", runDir);
        var shown = await NotebookRunner.RunAsync(Path.Combine(TestPaths.RepoRoot, "notebooks", notebook), TestPaths.RepoRoot);

        shown.Displayed.Should().NotBeEmpty();
        shown.Displayed.Should().NotContain(v => v is System.Collections.IList && ((System.Collections.IList)v).Count == 0, "every table a notebook shows should have rows on the demo run");
        shown.Displayed.OfType<HtmlContent>().Should().NotBeEmpty("each notebook draws at least one chart");
    }
}
