using System.Text.RegularExpressions;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Neo4j;
using EhrR1.Graph.Neo4j.Browser;
using EhrR1.Graph.TestSupport;
using Microsoft.Playwright;

namespace EhrR1.Graph.BrowserTests;

/// <summary>
/// The data scientist's path through Neo4j Browser, in headless Chromium against the CI Neo4j server: play the
/// guide served by <see cref="GuideServer"/> (what <c>ehr-graph graph guide</c> runs), apply the style, set a
/// parameter, click the guide's queries and run them. Screenshots go to <c>artifacts/browser/</c>.
/// </summary>
[Collection(BrowserGroup.Name)]
public sealed partial class Neo4jBrowserGuideTests
{
    private static readonly string[] GuideQueries =
        ["style", "counts", "tasks", "cooccurrence-per-task", "cooccurrence-graph", "thinking-graph", "thinking-graph-paths", "paths-between", "attrition", "attrition-all", "why", "why-graph"];

    /// <summary>Where screenshots are saved (git-ignored).</summary>
    public static string ArtifactsDir { get; } = Path.Combine(TestPaths.RepoRoot, "artifacts", "browser");

    [RequiresBrowserFact]
    public async Task Should_PlayTheGuideWithEveryQuery_When_ServedOnLoopback()
    {
        // Given the guide server and the Browser of the test server
        await using var guide = GuideServer.Start(port: 0);
        await using var browser = await Neo4jBrowserPage.OpenAsync(RequiresNeo4jFactAttribute.ServerUri, RequiresBrowserFactAttribute.Chromium);
        try
        {
            // When the guide is played
            var frame = await browser.RunAsync(guide.PlayCommand);

            // Then its six slides and every query are there, and the thinking-graph query is the writer's own
            var slides = frame.Locator("article.guide .carousel-inner > .item");
            await slides.First.WaitForAsync(new() { State = WaitForSelectorState.Attached }); // floated columns: zero height
            (await slides.CountAsync()).Should().Be(7);
            (await slides.First.Locator("h3").InnerTextAsync()).Should().Be("EhrR1.Graph");
            foreach (var name in GuideQueries)
            {
                (await frame.Locator($"pre.runnable.query-{name}").CountAsync()).Should().Be(1, "the guide has the query '{0}'", name);
            }

            var thinking = await frame.Locator("pre.runnable.query-thinking-graph").TextContentAsync();
            Normalise(thinking!).Should().Be(Normalise(ThinkingGraphCypher.SampleGraph));
            var style = await frame.Locator("pre.runnable.query-style").TextContentAsync();
            style!.Trim().Should().Be(guide.StyleCommand, "the served guide names the server it came from");
            guide.RequestCount.Should().BeGreaterThan(0);
        }
        catch
        {
            await SaveAsync(browser, "guide-failure");
            throw;
        }
    }

    [RequiresBrowserFact]
    public async Task Should_ShowASamplesThinkingGraph_When_TheGuideQueryRuns()
    {
        // Given a graph and two samples' thinking graphs loaded by our own commands, the guide, the Browser
        await using var scenario = await ThinkingGraphScenario.LoadAsync(RequiresNeo4jFactAttribute.ServerUri);
        scenario.Record.Status.Should().Be(EvidenceStatus.Graph);
        scenario.Record.Paths.Should().NotBeEmpty();
        await using var guide = GuideServer.Start(port: 0);
        await using var browser = await Neo4jBrowserPage.OpenAsync(RequiresNeo4jFactAttribute.ServerUri, RequiresBrowserFactAttribute.Chromium);
        try
        {
            var slides = await browser.RunAsync(guide.PlayCommand);
            await slides.Locator("pre.runnable.query-style").WaitForAsync(new() { State = WaitForSelectorState.Attached });
            await browser.ApplyStyleBlockAsync(slides.Locator("pre.runnable.query-style"));

            // When the sample's id is set as the parameter and the guide's query runs
            await SetParameterAsync(browser, slides, "sample_id", scenario.SampleId);
            var result = await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-thinking-graph")));
            var expected = scenario.ThinkingGraphCuis;
            var nodes = await browser.GraphNodesAsync(result, expected.Count + 1);
            var uses = scenario.Record.Pairs.SelectMany(p => new[] { p.TargetCui, p.HistoryCui }).OfType<string>().Distinct().Count();
            var hops = scenario.Record.Paths.SelectMany(p => p.Hops).Select(h => h.Relation).ToList();
            await browser.AutoCompleteOffAsync(result, uses + hops.Count);
            Directory.CreateDirectory(ArtifactsDir);
            await result.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDir, "thinking-graph.png") });
            await browser.Page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDir, "thinking-graph-page.png") });

            // Then the picture holds the sample and exactly its concepts, captioned by name and coloured by label
            nodes.Should().HaveCount(expected.Count + 1);
            var sample = nodes.Single(n => n.Labels.Contains("Sample"));
            sample.Properties["sample_id"].GetString().Should().Be(scenario.SampleId);
            scenario.SampleId.Should().StartWith(Caption(sample.Caption));
            sample.Fill.Should().BeEquivalentTo("#FB95AF", "style.grass colours samples pink");
            var concepts = nodes.Where(n => n.Labels.Contains("Concept")).ToList();
            concepts.Select(n => n.Properties["cui"].GetString()).Should().BeEquivalentTo(expected);
            foreach (var c in concepts)
            {
                var name = scenario.NameOf(c.Properties["cui"].GetString()!);
                c.Properties["name"].GetString().Should().Be(name);
                Caption(c.Caption).Should().NotBeEmpty();
                name.Should().StartWith(Caption(c.Caption), "the caption shows the concept's name (cut to fit the circle)");
                var kind = scenario.KindOf(c.Properties["cui"].GetString()!);
                c.Labels.Should().Contain(kind!, "the load labels each concept with its kind");
                c.Fill.Should().BeEquivalentTo(KindColours[kind!], "style.grass colours concepts by kind");
            }

            var relationships = await Neo4jBrowserPage.GraphRelationshipsAsync(result);
            relationships.Select(r => r.Type).Distinct().Should().BeEquivalentTo(["EVIDENCE", "USES"]);
            var evidence = relationships.Where(r => r.Type == "EVIDENCE").ToList();
            evidence.Select(r => r.Properties["relation"].GetString()).Should().BeEquivalentTo(hops, "each hop is drawn once");
            evidence.Should().OnlyContain(r => r.Properties["relation"].GetString()!.StartsWith(Caption(r.Caption), StringComparison.Ordinal), "hops are captioned by their relation");
            relationships.Count(r => r.Type == "USES").Should().Be(uses);

            // and "why this drug": the explanations best first, and the best one drawn with typed, sourced hops
            var why = await Neo4jBrowserPage.TableRowsAsync(await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-why"))));
            why.Should().HaveCount(scenario.Record.Paths.Count);
            why[0][1].Should().Contain(scenario.Record.Paths[0].Grade!);
            var best = scenario.Record.Paths[0];
            var whyGraph = await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-why-graph")));
            var whyNodes = await browser.GraphNodesAsync(whyGraph, best.Nodes.Count);
            whyNodes.Select(n => n.Properties["cui"].GetString()).Should().BeEquivalentTo(best.Nodes.Select(n => n.Cui));
            var whyHops = await Neo4jBrowserPage.GraphRelationshipsAsync(whyGraph);
            whyHops.Where(r => r.Type == "EVIDENCE").Select(r => r.Properties["source"].GetString()).Should().OnlyContain(x => !string.IsNullOrEmpty(x), "every hop names its source");
            await whyGraph.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDir, "why-this-drug.png") });
            browser.Errors.Should().BeEmpty();
        }
        catch
        {
            await SaveAsync(browser, "thinking-graph-failure");
            throw;
        }
    }

    [RequiresBrowserFact]
    public async Task Should_AnswerTheGuidesOtherQueries_When_RunFromTheSlides()
    {
        // Given
        await using var scenario = await ThinkingGraphScenario.LoadAsync(RequiresNeo4jFactAttribute.ServerUri);
        await using var guide = GuideServer.Start(port: 0);
        await using var browser = await Neo4jBrowserPage.OpenAsync(RequiresNeo4jFactAttribute.ServerUri, RequiresBrowserFactAttribute.Chromium);
        try
        {
            var slides = await browser.RunAsync(guide.PlayCommand);
            await slides.Locator("pre.runnable.query-attrition").WaitForAsync(new() { State = WaitForSelectorState.Attached });

            // When / Then: the attrition of the task counts the samples by status
            await SetParameterAsync(browser, slides, "task", scenario.Task);
            var attrition = await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-attrition")));
            var rows = await Neo4jBrowserPage.TableRowsAsync(attrition);
            rows.Select(r => (r[0], r[1])).Should().BeEquivalentTo(new[] { (EvidenceStatus.Graph, "1"), (scenario.RecordWithoutGraph.Status, "1") });

            // the strongest co-occurrences of the target, per task
            await SetParameterAsync(browser, slides, "name", "potassium");
            var cooccurrence = await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-cooccurrence-per-task")));
            var strongest = (await Neo4jBrowserPage.TableRowsAsync(cooccurrence)).Single(r => r[0] == scenario.Task)[1];
            strongest.IndexOf("Hypokalemia", StringComparison.Ordinal).Should().BeGreaterThan(-1)
                .And.BeLessThan(strongest.IndexOf("Furosemide", StringComparison.Ordinal), "ordered by lift (12 > 6)");

            // the paths between two concepts (CYPHER 2.3 on the 3.1 server)
            await SetParameterAsync(browser, slides, "from", "Furosemide");
            await SetParameterAsync(browser, slides, "to", "Potassium Chloride");
            var paths = await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-paths-between")));
            var pathNodes = await browser.GraphNodesAsync(paths, 3);
            pathNodes.Select(n => n.Properties["name"].GetString()).Should().Contain(["Furosemide", "Hypokalemia", "Potassium Chloride"]);
            Directory.CreateDirectory(ArtifactsDir);
            await paths.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDir, "paths-between.png") });
            browser.Errors.Should().BeEmpty();
        }
        catch
        {
            await SaveAsync(browser, "queries-failure");
            throw;
        }
    }

    [RequiresBrowserFact]
    public async Task Should_RunTheReadyQueriesUnedited_When_TheGuideReadsItsExamplesFromTheServer()
    {
        // Given a loaded graph with thinking graphs, and the guide served with examples read from that server
        await using var scenario = await ThinkingGraphScenario.LoadAsync(RequiresNeo4jFactAttribute.ServerUri);
        IReadOnlyDictionary<string, string> examples;
        using (var client = new EhrR1.Graph.Neo4j.Http.Neo4jHttpClient(EhrR1.Graph.Neo4j.Http.Neo4jSettings.FromEnvironment(RequiresNeo4jFactAttribute.ServerUri), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance))
        {
            examples = await GuideExamples.FindAsync(client, CancellationToken.None);
        }

        examples.Keys.Should().BeEquivalentTo(["sample_id", "task", "name", "from", "to"]);
        await using var guide = GuideServer.Start(port: 0, examples: examples);
        await using var browser = await Neo4jBrowserPage.OpenAsync(RequiresNeo4jFactAttribute.ServerUri, RequiresBrowserFactAttribute.Chromium);
        try
        {
            var slides = await browser.RunAsync(guide.PlayCommand);
            await slides.Locator("pre.runnable.param-sample_id").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });

            // When the user clicks and runs the blocks as they are: the parameter, then the thinking-graph query
            await RunParameterBlockAsync(browser, slides, "sample_id");
            var result = await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-thinking-graph")));

            // Then the graph shows the example sample and at least one concept
            var nodes = await browser.GraphNodesAsync(result, 2);
            nodes.Single(n => n.Labels.Contains("Sample")).Properties["sample_id"].GetString().Should().Be(examples["sample_id"]);
            nodes.Should().Contain(n => n.Labels.Contains("Concept"));

            // and the other parameterised queries answer with rows or a graph, unedited
            foreach (var name in new[] { "name", "task" })
            {
                await RunParameterBlockAsync(browser, slides, name);
            }

            var strongest = await Neo4jBrowserPage.TableRowsAsync(await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-cooccurrence-per-task"))));
            strongest.Should().NotBeEmpty();
            var attrition = await Neo4jBrowserPage.TableRowsAsync(await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-attrition"))));
            attrition.Should().NotBeEmpty();
            await RunParameterBlockAsync(browser, slides, "from");
            await RunParameterBlockAsync(browser, slides, "to");
            await browser.GraphNodesAsync(await browser.SucceededAsync(await browser.RunBlockAsync(slides.Locator("pre.runnable.query-paths-between"))), 2);
            browser.Errors.Should().BeEmpty();
        }
        catch
        {
            await SaveAsync(browser, "examples-failure");
            throw;
        }
    }

    /// <summary>Clicks the guide's <c>:param NAME: ...</c> block and runs it as it is.</summary>
    private static async Task RunParameterBlockAsync(Neo4jBrowserPage browser, ILocator slides, string name)
    {
        var frame = await browser.RunBlockAsync(slides.Locator($"pre.runnable.param-{name}").First);
        await frame.GetByText("Parameter sucessfully set").WaitForAsync(); // sic: the Browser's own message
    }

    /// <summary>Clicks the guide's <c>:param NAME: ...</c> block, types the value over the example, runs it.</summary>
    private static async Task SetParameterAsync(Neo4jBrowserPage browser, ILocator slides, string name, string value)
    {
        var block = slides.Locator($"pre.runnable.param-{name}").First;
        await Neo4jBrowserPage.ShowSlideAsync(block);
        await block.ClickAsync();
        await browser.WaitForEditorAsync($":param {name}: '", prefix: true);
        var example = await browser.EditorTextAsync();
        example.Should().StartWith($":param {name}: '");
        var command = $":param {name}: '{value}'";
        var frame = await browser.RunAsync(command);
        await frame.GetByText("Parameter sucessfully set").WaitForAsync(); // sic: the Browser's own message
    }


    /// <summary>The fills <c>graph-schema/style.grass</c> gives the concept kinds.</summary>
    private static readonly Dictionary<string, string> KindColours = new(StringComparer.Ordinal)
    {
        ["Drug"] = "#4E79A7",
        ["Disorder"] = "#E15759",
        ["LabTest"] = "#EDC948",
        ["Procedure"] = "#59A14F",
        ["DrugClass"] = "#76B7B2",
        ["Category"] = "#B07AA1",
    };

    private static string Normalise(string cypher) => WhiteSpace().Replace(cypher, " ").Trim();

    /// <summary>A visible caption without the ellipsis the Browser puts where it cuts a long caption.</summary>
    private static string Caption(string shown) => Normalise(shown).TrimEnd('…');

    private static async Task SaveAsync(Neo4jBrowserPage browser, string name)
    {
        Directory.CreateDirectory(ArtifactsDir);
        await browser.Page.ScreenshotAsync(new() { Path = Path.Combine(ArtifactsDir, name + ".png"), FullPage = true });
        await File.WriteAllTextAsync(Path.Combine(ArtifactsDir, name + ".html"), await browser.Page.ContentAsync());
        await File.WriteAllLinesAsync(Path.Combine(ArtifactsDir, name + ".console.txt"), browser.Errors);
    }

    [GeneratedRegex(@"\s+")]
    private static partial Regex WhiteSpace();
}

[CollectionDefinition(Name)]
public sealed class BrowserGroup
{
    /// <summary>The real-browser tests run one at a time (one Chromium, one server).</summary>
    public const string Name = "Neo4j Browser";
}
