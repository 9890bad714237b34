using System.Net;
using EhrR1.Graph.Neo4j.Browser;

namespace EhrR1.Graph.Neo4j.Tests;

public sealed class GuideServerTests
{
    [Fact]
    public async Task Should_ServeTheGuideWithCorsAndItsOwnAddress_When_Started()
    {
        // Given
        await using var server = GuideServer.Start(port: 0);
        using var http = new HttpClient();

        // When
        using var guide = await http.GetAsync(server.GuideUri);
        var html = await guide.Content.ReadAsStringAsync();
        using var byIp = await http.GetAsync(new Uri("http://127.0.0.1:" + server.Port + "/" + BrowserGuide.StyleFile));

        // Then: the Browser fetches it cross-origin, and the :style block names this server
        guide.StatusCode.Should().Be(HttpStatusCode.OK);
        guide.Content.Headers.ContentType!.MediaType.Should().Be("text/html");
        guide.Headers.GetValues("Access-Control-Allow-Origin").Should().Equal("*");
        html.Should().StartWith("<article class=\"guide\">")
            .And.Contain(":style " + server.StyleUri.AbsoluteUri)
            .And.NotContain(BrowserGuide.TemplateBase);
        server.PlayCommand.Should().Be($":play http://localhost:{server.Port}/ehr-graph.html");
        byIp.StatusCode.Should().Be(HttpStatusCode.OK);
        (await byIp.Content.ReadAsStringAsync()).Should().Contain("node.Sample");
    }

    [Fact]
    public async Task Should_AnswerPreflightAndRefuseEverythingElse_When_Asked()
    {
        // Given
        await using var server = GuideServer.Start(port: 0);
        using var http = new HttpClient();
        using var preflight = new HttpRequestMessage(HttpMethod.Options, server.GuideUri);
        preflight.Headers.Add("Access-Control-Request-Headers", "authorization");

        // When
        using var options = await http.SendAsync(preflight);
        using var missing = await http.GetAsync(new Uri(server.BaseUri, "../../etc/passwd"));
        using var put = await http.PutAsync(server.GuideUri, new StringContent("x"));

        // Then
        options.StatusCode.Should().Be(HttpStatusCode.NoContent);
        options.Headers.GetValues("Access-Control-Allow-Headers").Should().Equal("authorization");
        missing.StatusCode.Should().Be(HttpStatusCode.NotFound);
        put.StatusCode.Should().Be(HttpStatusCode.MethodNotAllowed);
        server.RequestCount.Should().Be(3);
    }

    [Fact]
    public async Task Should_PutTheServersExamplesInTheParamBlocks_When_GivenExamples()
    {
        // Given examples as GuideExamples reads them from a loaded server (one with a quote and markup in it)
        var examples = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["sample_id"] = "prescriptions:10002428:57",
            ["name"] = "Crohn's <disease>",
            ["task"] = "prescriptions",
        };
        await using var server = GuideServer.Start(port: 0, examples: examples);
        using var http = new HttpClient();

        // When
        var html = await http.GetStringAsync(server.GuideUri);
        var plain = BrowserGuide.Read(BrowserGuide.GuideFile, server.BaseUri);

        // Then every block of a named parameter holds the example; the others keep the generic one
        html.Should().Contain("""<pre class="runnable param-sample_id">:param sample_id: 'prescriptions:10002428:57'</pre>""")
            .And.Contain("""<pre class="runnable param-name">:param name: 'Crohn\&#39;s &lt;disease&gt;'</pre>""")
            .And.NotContain("labevents:10000032:12").And.NotContain(":param task: 'labevents'");
        System.Text.RegularExpressions.Regex.Count(html, ":param task: 'prescriptions'").Should().Be(2, "both task blocks get the example");
        html.Should().Contain(":param from: 'Hypokalemia'", "no example for from: the generic one stays");
        plain.Should().Contain(":param sample_id: 'labevents:10000032:12'", "without examples the guide is unchanged");
        BrowserGuide.Read(BrowserGuide.StyleFile, server.BaseUri, examples).Should().Be(BrowserGuide.Read(BrowserGuide.StyleFile, server.BaseUri));
    }

    [Fact]
    public async Task Should_ExplainTheClash_When_ThePortIsTaken()
    {
        // Given
        await using var first = GuideServer.Start(port: 0);

        // When
        var second = () => GuideServer.Start(first.Port);

        // Then
        second.Should().Throw<IOException>().WithMessage($"*127.0.0.1:{first.Port}*--port*");
        await Task.CompletedTask;
    }

    [Fact]
    public void Should_ShipTheGuideFiles_When_Embedded()
    {
        foreach (var file in BrowserGuide.Files)
        {
            BrowserGuide.Read(file, new Uri("http://localhost:9/")).Should().NotBeEmpty(file);
        }

        var read = () => BrowserGuide.Read("../neo4j.conf", new Uri("http://localhost:9/"));
        read.Should().Throw<ArgumentException>();
    }
}
