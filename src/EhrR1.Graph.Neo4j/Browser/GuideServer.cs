using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Neo4j.Browser;

/// <summary>
/// Serves the <see cref="BrowserGuide"/> files on the loopback interface so Neo4j Browser can play them
/// (<c>:play http://localhost:PORT/ehr-graph.html</c>). Neo4j's own HTTP server cannot serve arbitrary files, and the
/// Browser fetches a remote guide with a cross-origin request from its own page, so every answer carries CORS headers
/// (a plain static file server does not, and the Browser then shows an empty guide). The Browser plays remote guides
/// only from hosts in <c>browser.remote_content_hostname_whitelist</c>, which defaults to
/// <c>guides.neo4j.com,localhost</c>: hence URLs name <c>localhost</c> (<c>scripts/neo4j.sh</c> also allows 127.0.0.1).
/// Read-only: GET, HEAD and OPTIONS of the guide files, nothing else.
/// </summary>
public sealed class GuideServer : IAsyncDisposable
{
    /// <summary>The default port (the one written in the guide files).</summary>
    public const int DefaultPort = 8001;

    private readonly HttpListener _listener;
    private readonly ILogger _logger;
    private readonly Task _loop;
    private readonly Dictionary<string, byte[]> _files;

    private GuideServer(HttpListener listener, int port, ILogger logger, IReadOnlyDictionary<string, string>? examples)
    {
        _listener = listener;
        _logger = logger;
        Port = port;
        BaseUri = new Uri("http://localhost:" + port.ToString(CultureInfo.InvariantCulture) + "/");
        _files = BrowserGuide.Files.ToDictionary(f => "/" + f, f => Encoding.UTF8.GetBytes(BrowserGuide.Read(f, BaseUri, examples)), StringComparer.Ordinal);
        _loop = Task.Run(LoopAsync);
    }

    /// <summary>The port listened on (127.0.0.1, and localhost).</summary>
    public int Port { get; }

    /// <summary><c>http://localhost:PORT/</c>.</summary>
    public Uri BaseUri { get; }

    /// <summary>The guide's URL.</summary>
    public Uri GuideUri => new(BaseUri, BrowserGuide.GuideFile);

    /// <summary>The style's URL.</summary>
    public Uri StyleUri => new(BaseUri, BrowserGuide.StyleFile);

    /// <summary>What to type in Neo4j Browser to play the guide.</summary>
    public string PlayCommand => ":play " + GuideUri.AbsoluteUri;

    /// <summary>What to type in Neo4j Browser to apply the style.</summary>
    public string StyleCommand => ":style " + StyleUri.AbsoluteUri;

    /// <summary>Number of requests answered (any status).</summary>
    public int RequestCount => _requests;

    private int _requests;

    /// <summary>Starts listening on loopback; port 0 picks a free port. <paramref name="examples"/> fills the guide's
    /// <c>:param</c> blocks (see <see cref="GuideExamples"/>); null keeps the generic examples.</summary>
    /// <exception cref="IOException">The port is in use or cannot be opened.</exception>
    public static GuideServer Start(int port = DefaultPort, ILogger? logger = null, IReadOnlyDictionary<string, string>? examples = null)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(port);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(port, 65535);
        for (var attempt = 0; ; attempt++)
        {
            var chosen = port == 0 ? FreeLoopbackPort() : port;
            var listener = new HttpListener();
            listener.Prefixes.Add("http://127.0.0.1:" + chosen.ToString(CultureInfo.InvariantCulture) + "/");
            listener.Prefixes.Add("http://localhost:" + chosen.ToString(CultureInfo.InvariantCulture) + "/");
            try
            {
                listener.Start();
                return new GuideServer(listener, chosen, logger ?? NullLogger.Instance, examples);
            }
            catch (HttpListenerException e) when (port == 0 && attempt < 5)
            {
                // another process took the free port between the probe and the bind: try another
                listener.Close();
                (logger ?? NullLogger.Instance).LogDebug("port {Port} was taken ({Message}); trying another", chosen, e.Message);
            }
            catch (HttpListenerException e)
            {
                listener.Close();
                throw new IOException($"Cannot serve the guide on 127.0.0.1:{chosen}: {e.Message}. Choose another port with --port.", e);
            }
        }
    }

    private static int FreeLoopbackPort()
    {
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        return ((IPEndPoint)probe.LocalEndpoint).Port;
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return; // stopped
            }

            try
            {
                await AnswerAsync(context).ConfigureAwait(false);
            }
            catch (Exception e) when (e is HttpListenerException or IOException or ObjectDisposedException or InvalidOperationException)
            {
                // the client went away, or the listener already answered the request itself (e.g. 411 for a bodiless POST)
                _logger.LogDebug("guide request aborted: {Message}", e.Message);
            }
        }
    }

    private async Task AnswerAsync(HttpListenerContext context)
    {
        Interlocked.Increment(ref _requests);
        var request = context.Request;
        var response = context.Response;
        var method = request.HttpMethod;
        var path = request.Url?.AbsolutePath ?? "/";
        if (path == "/")
        {
            path = "/" + BrowserGuide.GuideFile;
        }

        byte[]? body = null;
        var status = method switch
        {
            "OPTIONS" => 204,
            "GET" or "HEAD" => _files.TryGetValue(path, out body) ? 200 : 404,
            _ => 405,
        };
        response.StatusCode = status;
        response.Headers["Access-Control-Allow-Origin"] = "*";
        response.Headers["Access-Control-Allow-Methods"] = "GET, HEAD, OPTIONS";
        response.Headers["Access-Control-Allow-Headers"] = request.Headers["Access-Control-Request-Headers"] ?? "*";
        response.Headers["Cache-Control"] = "no-cache";
        if (status == 405)
        {
            response.Headers["Allow"] = "GET, HEAD, OPTIONS";
        }

        if (body is not null)
        {
            response.ContentType = BrowserGuide.ContentType(path);
            response.ContentLength64 = body.Length;
            if (method == "GET")
            {
                await response.OutputStream.WriteAsync(body).ConfigureAwait(false);
            }
        }

        response.Close();
        _logger.LogInformation("{Method} {Path} -> {Status}", method, path, status);
    }

    /// <summary>Stops listening.</summary>
    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop.ConfigureAwait(false);
    }
}
