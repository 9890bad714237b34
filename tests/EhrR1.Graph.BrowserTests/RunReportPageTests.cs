using EhrR1.Graph.Reports;
using EhrR1.Graph.Reports.RunReport;
using EhrR1.Graph.TestSupport;
using Microsoft.Playwright;

namespace EhrR1.Graph.BrowserTests;

/// <summary>
/// The run report as a reader sees it, in headless Chromium: Markdown legends rendered (no raw backticks), the
/// attrition chart's legend and task labels inside the picture and not overlapping, wide tables inside the page, and a
/// thinking-graph picture. The report is built from a run folder made here with the same writers the stages use.
/// Screenshot: <c>artifacts/browser/run-report.png</c>.
/// </summary>
[Collection(BrowserGroup.Name)]
public sealed class RunReportPageTests
{
    private static readonly string[] Tasks = ["diagnoses_icd", "ingredientevents", "microbiologyevents", "prescriptions", "procedureevents", "labevents"];

    [RequiresBrowserFact]
    public async Task Should_ReadWellInABrowser_When_TheRunReportIsOpened()
    {
        // Given a run folder with an attrition table and chart, a quality table and a thinking-graph picture
        using var run = new TempDirectory("ehrr1-report-page-");
        var evidence = run.Combine("evidence");
        Directory.CreateDirectory(Path.Combine(evidence, "thinking-graphs"));
        File.WriteAllText(Path.Combine(evidence, "attrition.md"),
            "# Evidence attrition\n\n| task | samples | graph |\n|---|---:|---:|\n" + string.Concat(Tasks.Select(t => $"| {t} | 200 | 120 |\n")) +
            "\n- `samples`: samples searched\n- `graph`: samples with a **thinking graph**\n");
        var wide = "| task | " + string.Join(" | ", Enumerable.Range(0, 18).Select(i => "a_rather_long_column_" + i)) + " |\n|---|" + string.Concat(Enumerable.Repeat("---:|", 18)) + "\n| labevents | " + string.Join(" | ", Enumerable.Range(0, 18)) + " |\n";
        File.WriteAllText(Path.Combine(evidence, "quality.md"), "# What the thinking graphs know\n\n" + wide);
        string[] outcomes = ["graph", "endpoint_filtered", "no_path", "hub_cap", "no_cui", "no_target_concept", "no_history_concept", "no_pairs", "no_cooccurrence"];
        AttritionChart.Save("Evidence search: sample outcome per task", Tasks, [.. outcomes.Select((o, i) => (o, Tasks.Select(_ => (double)(10 + i)).ToArray()))], null, Path.Combine(evidence, "attrition.svg"));
        ThinkingGraphSvg.Save("prescriptions: a sample", [new PicturePath("direct", [new PictureNode("Insulin", "Drug"), new PictureNode("Type 2 diabetes mellitus", "Disorder")], [new PictureHop("may_treat · LABELEDIN", true, false)])], Path.Combine(evidence, "thinking-graphs", "prescriptions.svg"));
        var report = RunReportBuilder.Build(run.Path);

        // When it is opened in Chromium
        var playwright = await Playwright.CreateAsync();
        try
        {
            await using var browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = RequiresBrowserFactAttribute.Chromium, Headless = true, Args = ["--no-sandbox", "--disable-gpu"] });
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1280, Height = 900 } });
            await page.GotoAsync(new Uri(report.HtmlPath).AbsoluteUri);
            Directory.CreateDirectory(Neo4jBrowserGuideTests.ArtifactsDir);
            await page.ScreenshotAsync(new() { Path = Path.Combine(Neo4jBrowserGuideTests.ArtifactsDir, "run-report.png"), FullPage = true });

            // Then the legends read as text: no raw Markdown markers, code and bold rendered
            var text = await page.EvaluateAsync<string>("() => document.body.innerText");
            text.Should().NotContain("`").And.NotContain("**");
            (await page.Locator("li code").CountAsync()).Should().BeGreaterThanOrEqualTo(2);
            (await page.Locator("li strong").CountAsync()).Should().Be(1);

            // the attrition chart's texts (legend, title, task labels) all lie inside the chart
            var chart = page.Locator("figure svg").Filter(new() { HasText = "sample outcome per task" }).First;
            var outside = await chart.EvaluateAsync<string[]>(
                "svg => { const b = svg.getBoundingClientRect(); return Array.from(svg.querySelectorAll('text')).filter(t => t.textContent.trim().length > 0)" +
                ".filter(t => { const r = t.getBoundingClientRect(); return r.left < b.left - 1 || r.right > b.right + 1 || r.top < b.top - 1 || r.bottom > b.bottom + 1; })" +
                ".map(t => t.textContent.trim()); }");
            outside.Should().BeEmpty("the legend and the task labels are not cut off");
            foreach (var o in outcomes)
            {
                (await chart.Locator("text", new() { HasTextString = o }).CountAsync()).Should().BeGreaterThan(0, "the legend names {0}", o);
            }

            // and the task labels do not overlap one another
            var overlaps = await chart.EvaluateAsync<int>(
                "(svg, names) => { const boxes = Array.from(svg.querySelectorAll('text')).filter(t => names.includes(t.textContent.trim())).map(t => t.getBoundingClientRect());" +
                " let n = 0; for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) { const a = boxes[i], b = boxes[j];" +
                " const w = Math.min(a.right, b.right) - Math.max(a.left, b.left), h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top); if (w > 2 && h > 2) n++; } return n; }",
                Tasks);
            overlaps.Should().Be(0);

            // the wide table scrolls inside its box instead of widening the page; the thinking graph is drawn
            var pageWidth = await page.EvaluateAsync<double>("() => document.documentElement.scrollWidth");
            pageWidth.Should().BeLessThanOrEqualTo(1280);
            (await page.Locator("figure svg").Filter(new() { HasText = "Type 2 diabetes" }).CountAsync()).Should().Be(1);
        }
        finally
        {
            playwright.Dispose();
        }
    }
}
