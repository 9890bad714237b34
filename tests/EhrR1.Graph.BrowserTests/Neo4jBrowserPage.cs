using System.Text.Json;
using EhrR1.Graph.Neo4j.Http;
using Microsoft.Playwright;

namespace EhrR1.Graph.BrowserTests;

/// <summary>A node of a result's graph view: its labels and properties (the D3 datum) and its visible caption.</summary>
internal sealed record ShownNode(IReadOnlyList<string> Labels, IReadOnlyDictionary<string, JsonElement> Properties, string Caption, string Fill);

/// <summary>A relationship of a result's graph view: its type, properties and visible caption.</summary>
internal sealed record ShownRelationship(string Type, IReadOnlyDictionary<string, JsonElement> Properties, string Caption);

/// <summary>
/// Neo4j Browser (the one the server ships: 2.0 for Neo4j 3.1) in headless Chromium, driven like a user: the command
/// editor, its play button, the result frames, the guide's clickable blocks. Playwright only drives the executable
/// it is given and never downloads a browser. Requests to anything but the loopback interface (the Browser's
/// usage statistics and sync services) are refused, so the test neither needs nor uses the network.
/// </summary>
internal sealed class Neo4jBrowserPage : IAsyncDisposable
{
    private const string Frames = "#stream .frame";
    private static readonly float Timeout = 60_000;

    private readonly IPlaywright _playwright;
    private readonly IBrowser _browser;
    private int _frames;

    private Neo4jBrowserPage(IPlaywright playwright, IBrowser browser, IPage page)
    {
        _playwright = playwright;
        _browser = browser;
        Page = page;
        page.SetDefaultTimeout(Timeout);
        page.Console += (_, m) =>
        {
            // refused or unresolvable third-party services are expected offline; anything else is a problem
            // (a message that names no URL is about the resource at its location)
            var where = m.Text.Contains("://", StringComparison.Ordinal) ? m.Text : m.Location;
            var external = m.Text.Contains("net::ERR_", StringComparison.Ordinal)
                && !where.Contains("//localhost", StringComparison.Ordinal) && !where.Contains("//127.0.0.1", StringComparison.Ordinal);
            if (m.Type == "error" && !external)
            {
                lock (Errors)
                {
                    Errors.Add(m.Text);
                }
            }
        };
    }

    public IPage Page { get; }

    /// <summary>Console errors of the page (refused third-party requests excluded).</summary>
    public List<string> Errors { get; } = [];

    public static async Task<Neo4jBrowserPage> OpenAsync(Uri neo4j, string chromium)
    {
        var playwright = await Playwright.CreateAsync();
        try
        {
            var browser = await playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = chromium,
                Headless = true,
                Args = ["--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"],
            });
            // the build under test, kept beside the screenshots (docs/graph.md lists the builds the guide is checked with)
            Directory.CreateDirectory(Neo4jBrowserGuideTests.ArtifactsDir);
            await File.WriteAllTextAsync(Path.Combine(Neo4jBrowserGuideTests.ArtifactsDir, "browser-version.txt"), browser.Version + "\n");
            var page = await browser.NewPageAsync(new() { ViewportSize = new() { Width = 1400, Height = 1000 } });
            var session = new Neo4jBrowserPage(playwright, browser, page);
            await page.RouteAsync(url => !IsLoopback(url), route => route.AbortAsync());
            await page.GotoAsync(new Uri(neo4j, "/browser/").AbsoluteUri);
            await page.Locator("#editor .CodeMirror").WaitForAsync();
            await session.LogInAsync();
            return session;
        }
        catch
        {
            playwright.Dispose();
            throw;
        }
    }

    /// <summary>
    /// On a server with auth on (<c>EHRR1_NEO4J_USER</c> / <c>EHRR1_NEO4J_PASSWORD</c> set), fills the Browser's own
    /// "Connect to Neo4j" frame, as a user does, and waits until it says who is connected. The password is typed into
    /// the form only; it is never logged or put in a screenshot name.
    /// </summary>
    private async Task LogInAsync()
    {
        var user = Environment.GetEnvironmentVariable(Neo4jSettings.UserVariable);
        var password = Environment.GetEnvironmentVariable(Neo4jSettings.PasswordVariable);
        if (string.IsNullOrEmpty(user) || string.IsNullOrEmpty(password))
        {
            return;
        }

        var frame = Page.Locator(Frames).Filter(new() { Has = Page.Locator("#connect_button") }).First;
        await frame.Locator("#connect_button").WaitForAsync();
        await frame.Locator("input[ng-model='username']").FillAsync(user);
        await frame.Locator("#connect_password").FillAsync(password);
        await frame.Locator("#connect_button").ClickAsync();
        await frame.GetByText("You are connected as user").WaitForAsync();
    }

    private static bool IsLoopback(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var u) && (u.IsLoopback || u.Scheme is "data" or "blob" or "about");

    /// <summary>The editor's text.</summary>
    public Task<string> EditorTextAsync() =>
        Page.EvaluateAsync<string>("() => document.querySelector('#editor .CodeMirror').CodeMirror.getValue()");

    /// <summary>Replaces the editor's text by typing it, as a user does (select all, type).</summary>
    public async Task TypeAsync(string text)
    {
        await Page.Locator("#editor .CodeMirror").ClickAsync();
        await Page.Keyboard.PressAsync("Control+A");
        await Page.Keyboard.PressAsync("Backspace");
        await Page.Keyboard.TypeAsync(text);
    }

    /// <summary>
    /// Presses the editor's play button; returns the new result frame. The frame is found by its command (the frame's
    /// own <c>frame.input</c> in its Angular scope), newest first, among frames not yet handed out: the Browser adds
    /// frames of its own (the welcome and connection frames) at times that depend on the browser build, so "the
    /// newest frame after the click" is not a reliable way to find ours.
    /// </summary>
    public async Task<ILocator> PlayAsync()
    {
        var command = (await EditorTextAsync()).Trim();
        command.Should().NotBeEmpty("a command is in the editor before play is pressed");
        await Page.Locator("#editor a.play").ClickAsync();
        var id = "f" + (++_frames).ToString(System.Globalization.CultureInfo.InvariantCulture);
        await Page.WaitForFunctionAsync(
            """
            ([command, id]) => {
              const frames = Array.from(document.querySelectorAll('#stream .frame'));
              const mine = frames.find(f => {
                if (f.hasAttribute('data-test-frame')) return false;
                const scope = window.angular && window.angular.element(f).scope();
                const input = scope && scope.frame ? String(scope.frame.input || '') : '';
                return input.trim() === command;
              });
              if (!mine) return false;
              mine.setAttribute('data-test-frame', id);
              return true;
            }
            """,
            new object[] { command, id });
        return Page.Locator($"#stream .frame[data-test-frame='{id}']");
    }

    /// <summary>Types a command and runs it; returns its frame.</summary>
    public async Task<ILocator> RunAsync(string command)
    {
        await TypeAsync(command);
        return await PlayAsync();
    }

    /// <summary>Turns the guide to the slide holding <paramref name="block"/> (with the slide indicators below it).</summary>
    public static async Task ShowSlideAsync(ILocator block)
    {
        if (await block.IsVisibleAsync())
        {
            return;
        }

        var index = await block.EvaluateAsync<int>("el => Array.from(el.closest('.carousel-inner').children).indexOf(el.closest('.item'))");
        var deck = block.Locator("xpath=ancestor::div[contains(concat(' ', normalize-space(@class), ' '), ' carousel ')][1]");
        await deck.Locator("ol.carousel-indicators li").Nth(index).ClickAsync();
        await block.WaitForAsync(new() { State = WaitForSelectorState.Visible });
    }

    /// <summary>
    /// Clicks a guide block: it is copied into the editor (checked). The Browser copies it on its next timer turn
    /// (<c>Editor.setContent</c> assigns the text in a <c>$timeout</c>), so the click returns before the editor
    /// changes; wait for the text, as a user's eye does, then check it.
    /// </summary>
    public async Task ClickBlockAsync(ILocator block)
    {
        await ShowSlideAsync(block);
        var text = (await block.TextContentAsync())!.Trim();
        await block.ClickAsync();
        await WaitForEditorAsync(text);
        (await EditorTextAsync()).Should().Be(text, "clicking a guide block copies it into the editor");
    }

    /// <summary>Waits (at most 10 s) until the editor holds <paramref name="expected"/> (or, with
    /// <paramref name="prefix"/>, starts with it); returns without failing so the caller's assertion says what differs.</summary>
    public async Task WaitForEditorAsync(string expected, bool prefix = false)
    {
        try
        {
            await Page.WaitForFunctionAsync(
                "([text, prefix]) => { const v = document.querySelector('#editor .CodeMirror').CodeMirror.getValue().trim(); return prefix ? v.startsWith(text) : v === text; }",
                new object[] { expected, prefix },
                new() { Timeout = 10_000 });
        }
        catch (TimeoutException)
        {
            // the caller's assertion reports the editor's text
        }
    }

    /// <summary>Clicks a guide block and runs it; returns its frame.</summary>
    public async Task<ILocator> RunBlockAsync(ILocator block)
    {
        await ClickBlockAsync(block);
        return await PlayAsync();
    }

    /// <summary>Clicks the guide's <c>:style URL</c> block and runs it: the Browser fetches the style and keeps it in
    /// local storage (no result frame); waits until the stored style is ours.</summary>
    public async Task ApplyStyleBlockAsync(ILocator block)
    {
        await ClickBlockAsync(block);
        await Page.Locator("#editor a.play").ClickAsync();
        await Page.WaitForFunctionAsync("() => (localStorage.getItem('neo4j.grass') || '').includes('{relation}')");
    }

    /// <summary>Waits until a Cypher frame has finished; fails with the Browser's message when it shows an error.</summary>
    public async Task<ILocator> SucceededAsync(ILocator frame)
    {
        var element = await frame.ElementHandleAsync();
        var outcome = await Page.WaitForFunctionAsync(
            "f => f.querySelector('.view-result.error') ? 'error' : (/completed after/.test(f.textContent) ? 'ok' : null)", element);
        if (await outcome.JsonValueAsync<string>() == "error")
        {
            var detail = await frame.Locator("pre.frame-error").First.TextContentAsync();
            throw new Xunit.Sdk.XunitException("The Browser reported an error: " + detail?.Trim());
        }

        return frame;
    }

    /// <summary>Waits until the frame's graph view shows <paramref name="count"/> nodes and the layout has settled.</summary>
    public async Task<IReadOnlyList<ShownNode>> GraphNodesAsync(ILocator frame, int count)
    {
        await frame.Locator("svg g.node").Nth(count - 1).WaitForAsync();
        await Page.WaitForTimeoutAsync(3000); // the force layout animates; let it settle before reading or capturing
        var json = await frame.Locator("svg g.node").EvaluateAllAsync<string>(
            "els => JSON.stringify(els.map(e => ({ labels: e.__data__.labels, properties: e.__data__.propertyMap, " +
            "caption: Array.from(e.querySelectorAll('text')).map(t => t.textContent).join(' '), " +
            "fill: e.querySelector('circle.outline').getAttribute('fill') })))");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(n => new ShownNode(
            n.GetProperty("labels").EnumerateArray().Select(l => l.GetString()!).ToList(),
            n.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal),
            n.GetProperty("caption").GetString()!,
            n.GetProperty("fill").GetString() ?? "")).ToList();
    }

    /// <summary>The relationships of the frame's graph view.</summary>
    public static async Task<IReadOnlyList<ShownRelationship>> GraphRelationshipsAsync(ILocator frame)
    {
        var json = await frame.Locator("svg g.relationship").EvaluateAllAsync<string>(
            "els => JSON.stringify(els.map(e => ({ type: e.__data__.type, properties: e.__data__.propertyMap, " +
            "caption: Array.from(e.querySelectorAll('text')).map(t => t.textContent).join(' ') })))");
        using var doc = JsonDocument.Parse(json);
        return doc.RootElement.EnumerateArray().Select(r => new ShownRelationship(
            r.GetProperty("type").GetString()!,
            r.GetProperty("properties").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal),
            r.GetProperty("caption").GetString()!)).ToList();
    }

    /// <summary>Switches the frame's Auto-complete off: the graph then shows only the relationships the query
    /// returned (not every relationship between the shown nodes); waits until it shows <paramref name="count"/>.</summary>
    public async Task AutoCompleteOffAsync(ILocator frame, int count)
    {
        await frame.Locator(".inspector-footer .toggle").ClickAsync();
        var element = await frame.ElementHandleAsync();
        await Page.WaitForFunctionAsync(
            "([f, n]) => f.querySelectorAll('svg g.relationship').length === n", new object[] { element, count });
        await Page.WaitForTimeoutAsync(2000); // the layout moves again
    }

    /// <summary>The rows of the frame's table view (cell texts).</summary>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> TableRowsAsync(ILocator frame)
    {
        await frame.Locator("neo-table table.table.data tbody tr").First.WaitForAsync(new() { State = WaitForSelectorState.Attached });
        var rows = await frame.Locator("neo-table table.table.data tbody tr").EvaluateAllAsync<string[][]>(
            "rows => rows.map(r => Array.from(r.querySelectorAll('td')).map(td => td.textContent.trim()))");
        return rows;
    }

    public async ValueTask DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }
}
