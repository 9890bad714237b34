using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Neo4j.Http;

/// <summary>
/// A small client of Neo4j's HTTP transactional Cypher API, which Neo4j 3.x, 4.x and 5.x all serve. It discovers
/// the commit endpoint from <c>GET /</c> (3.x: <c>/db/data/transaction/commit</c>; 4.x/5.x: the discovery
/// document's <c>transaction</c> template, <c>/db/{database}/tx/commit</c>), sends only parameterised statements,
/// maps the server's <c>errors</c> array to <see cref="ExternalServiceException"/> and retries transient failures
/// (<c>Neo.TransientError.*</c>, refused connections, timeouts, 5xx) with exponential back-off.
/// Each call is one auto-committed transaction: all statements of a call commit together or not at all.
/// </summary>
public sealed class Neo4jHttpClient : IDisposable
{
    private const string Service = "Neo4j";
    private readonly Neo4jSettings _settings;
    private readonly ILogger _logger;
    private readonly HttpClient _http;
    private readonly SemaphoreSlim _connectLock = new(1, 1);
    private Neo4jServerInfo? _server;

    /// <summary>Creates a client; <paramref name="handler"/> is for tests (null = a default socket handler).</summary>
    public Neo4jHttpClient(Neo4jSettings settings, ILogger logger, HttpMessageHandler? handler = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        _settings = settings;
        _logger = logger;
        _http = handler is null ? new HttpClient() : new HttpClient(handler, disposeHandler: true);
        _http.Timeout = settings.RequestTimeout;
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("ehr-graph", "1.0"));
        if (settings.User is not null)
        {
            var token = Convert.ToBase64String(Encoding.UTF8.GetBytes(settings.User + ":" + settings.Password));
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", token);
        }
    }

    /// <summary>The settings (the password is never printed by its ToString).</summary>
    public Neo4jSettings Settings => _settings;

    /// <summary>Discovers the endpoint and the server version (once; cached).</summary>
    public async Task<Neo4jServerInfo> ConnectAsync(CancellationToken cancellationToken)
    {
        if (_server is not null)
        {
            return _server;
        }

        await _connectLock.WaitAsync(cancellationToken);
        try
        {
            if (_server is not null)
            {
                return _server;
            }

            var discovery = await WithRetryAsync("discovery", ct => GetDiscoveryAsync(ct), cancellationToken);
            var endpoint = ParseDiscovery(_settings.ServerUri, discovery, _settings.Database, out var advertisedVersion);
            var probe = new Neo4jServerInfo(endpoint, advertisedVersion ?? "unknown", "unknown");
            _server = probe;
            var components = await ExecuteAsync(new CypherStatement("CALL dbms.components() YIELD name, versions, edition RETURN name, versions, edition"), cancellationToken);
            var (version, edition) = ParseComponents(components);
            _server = new Neo4jServerInfo(endpoint, version ?? advertisedVersion ?? "unknown", edition ?? "unknown");
            if (_server.Major == 3 && _settings.Database is not null && !string.Equals(_settings.Database, "graph.db", StringComparison.Ordinal))
            {
                _logger.LogWarning("Neo4j {Version} has a single database; --database {Database} is ignored", _server.Version, _settings.Database);
            }

            _logger.LogInformation("Connected to Neo4j {Version} ({Edition}) at {Endpoint}", _server.Version, _server.Edition, endpoint.GetLeftPart(UriPartial.Path));
            return _server;
        }
        finally
        {
            _connectLock.Release();
        }
    }

    /// <summary>Runs one statement in its own transaction.</summary>
    public async Task<CypherResult> ExecuteAsync(CypherStatement statement, CancellationToken cancellationToken) =>
        (await ExecuteAsync([statement], cancellationToken))[0];

    /// <summary>Runs statements in one transaction (all commit, or none); retried when the failure is transient.</summary>
    public async Task<IReadOnlyList<CypherResult>> ExecuteAsync(IReadOnlyList<CypherStatement> statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var server = _server ?? await ConnectAsync(cancellationToken);
        var body = BuildRequestBody(statements);
        return await WithRetryAsync("commit", ct => PostCommitAsync(server.CommitEndpoint, body, statements.Count, ct), cancellationToken);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _http.Dispose();
        _connectLock.Dispose();
    }

    /// <summary>The JSON body of a commit request.</summary>
    internal static byte[] BuildRequestBody(IReadOnlyList<CypherStatement> statements)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonDefaults.Jsonl.Encoder }))
        {
            w.WriteStartObject();
            w.WriteStartArray("statements");
            foreach (var s in statements)
            {
                w.WriteStartObject();
                w.WriteString("statement", s.Text);
                w.WritePropertyName("parameters");
                JsonSerializer.Serialize(w, s.Parameters, JsonDefaults.Jsonl);
                w.WriteStartArray("resultDataContents");
                w.WriteStringValue("row");
                w.WriteEndArray();
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>
    /// The commit endpoint from a discovery document. 4.x/5.x advertise <c>transaction</c> (a template with
    /// <c>{databaseName}</c>); 3.x advertises <c>data</c> (its transactions live under <c>data/transaction</c>).
    /// The advertised host is ignored (it may be an internal name); only the path is used with <paramref name="server"/>.
    /// </summary>
    internal static Uri ParseDiscovery(Uri server, string json, string? database, out string? advertisedVersion)
    {
        advertisedVersion = null;
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new ExternalServiceException("EHR-NEO-004", Service, $"{server} did not answer GET / with a JSON discovery document; is this the HTTP connector of a Neo4j server (usually port 7474)?", isTransient: false, e);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new ExternalServiceException("EHR-NEO-004", Service, $"{server}: the discovery document is not a JSON object.", isTransient: false);
            }

            if (root.TryGetProperty("neo4j_version", out var v) && v.ValueKind == JsonValueKind.String)
            {
                advertisedVersion = v.GetString();
            }

            string path;
            if (root.TryGetProperty("transaction", out var tx) && tx.ValueKind == JsonValueKind.String)
            {
                var template = PathOf(tx.GetString()!);
                path = template.Replace("{databaseName}", Uri.EscapeDataString(database ?? "neo4j"), StringComparison.Ordinal).TrimEnd('/') + "/commit";
            }
            else if (root.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.String)
            {
                path = PathOf(data.GetString()!).TrimEnd('/') + "/transaction/commit";
            }
            else
            {
                throw new ExternalServiceException("EHR-NEO-004", Service, $"{server}: the discovery document has neither 'transaction' (Neo4j 4+) nor 'data' (Neo4j 3) links; is this a Neo4j HTTP connector?", isTransient: false);
            }

            var basePath = server.AbsolutePath.TrimEnd('/');
            return new UriBuilder(server) { Path = basePath + path, Query = string.Empty }.Uri;
        }
    }

    /// <summary>The kernel version and edition from <c>CALL dbms.components()</c>.</summary>
    internal static (string? Version, string? Edition) ParseComponents(CypherResult result)
    {
        foreach (var row in result.Rows)
        {
            if (row.Length >= 3 && row[0].ValueKind == JsonValueKind.String && string.Equals(row[0].GetString(), "Neo4j Kernel", StringComparison.Ordinal))
            {
                var version = row[1].ValueKind == JsonValueKind.Array && row[1].GetArrayLength() > 0 ? row[1][0].GetString() : null;
                return (version, row[2].ValueKind == JsonValueKind.String ? row[2].GetString() : null);
            }
        }

        return (null, null);
    }

    /// <summary>
    /// Parses a commit response. Throws <see cref="ExternalServiceException"/> for a non-empty <c>errors</c> array
    /// (transient for <c>Neo.TransientError.*</c>).
    /// </summary>
    internal static IReadOnlyList<CypherResult> ParseResponse(JsonElement root, int expectedResults)
    {
        if (root.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Array && errors.GetArrayLength() > 0)
        {
            var first = errors[0];
            var code = first.TryGetProperty("code", out var c) ? c.GetString() ?? "?" : "?";
            var message = first.TryGetProperty("message", out var m) ? m.GetString() ?? string.Empty : string.Empty;
            var firstLine = message.Split('\n')[0];
            throw new ExternalServiceException(
                "EHR-NEO-002",
                Service,
                $"the server rejected the transaction ({code}): {firstLine}",
                IsTransientCode(code));
        }

        var results = new List<CypherResult>();
        if (root.TryGetProperty("results", out var rs) && rs.ValueKind == JsonValueKind.Array)
        {
            foreach (var r in rs.EnumerateArray())
            {
                var columns = r.TryGetProperty("columns", out var cols) ? cols.EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToArray() : [];
                var rows = new List<JsonElement[]>();
                if (r.TryGetProperty("data", out var data))
                {
                    foreach (var d in data.EnumerateArray())
                    {
                        if (d.TryGetProperty("row", out var row))
                        {
                            rows.Add(row.EnumerateArray().Select(x => x.Clone()).ToArray());
                        }
                    }
                }

                results.Add(new CypherResult(columns, rows));
            }
        }

        if (results.Count != expectedResults)
        {
            throw new ExternalServiceException("EHR-NEO-002", Service, $"expected {expectedResults} result(s) in the commit response, found {results.Count}.", isTransient: false);
        }

        return results;
    }

    /// <summary>True for Neo4j status codes that say "retry may succeed".</summary>
    internal static bool IsTransientCode(string code) =>
        code.StartsWith("Neo.TransientError.", StringComparison.Ordinal);

    /// <summary>True for HTTP statuses that say "retry may succeed".</summary>
    internal static bool IsTransientStatus(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;

    private static string PathOf(string advertised)
    {
        // the template holds '{' and '}', which Uri would escape: cut the path out textually
        var s = advertised;
        var scheme = s.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            var slash = s.IndexOf('/', scheme + 3);
            s = slash >= 0 ? s[slash..] : "/";
        }

        return s.StartsWith('/') ? s : "/" + s;
    }

    private async Task<string> GetDiscoveryAsync(CancellationToken cancellationToken)
    {
        using var response = await SendAsync(new HttpRequestMessage(HttpMethod.Get, _settings.ServerUri), cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
    }

    private async Task<IReadOnlyList<CypherResult>> PostCommitAsync(Uri endpoint, byte[] body, int expected, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        using var response = await SendAsync(request, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        JsonDocument doc;
        try
        {
            doc = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        }
        catch (JsonException e)
        {
            throw new ExternalServiceException("EHR-NEO-002", Service, "the commit response is not valid JSON (connection cut mid-response?).", isTransient: true, e);
        }

        using (doc)
        {
            return ParseResponse(doc.RootElement, expected);
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            using (request)
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
        }
        catch (HttpRequestException e)
        {
            throw new ExternalServiceException("EHR-NEO-001", Service, $"cannot reach {_settings.ServerUri} ({e.HttpRequestError}): {e.Message}", isTransient: true, e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new ExternalServiceException("EHR-NEO-001", Service, $"no answer from {_settings.ServerUri} within {_settings.RequestTimeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", isTransient: true, e);
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        var status = response.StatusCode;
        response.Dispose();
        var message = status switch
        {
            HttpStatusCode.Unauthorized => $"authentication failed (HTTP 401). Set {Neo4jSettings.UserVariable} and {Neo4jSettings.PasswordVariable} for a server with auth enabled.",
            HttpStatusCode.Forbidden => $"access denied (HTTP 403): the user in {Neo4jSettings.UserVariable} lacks the rights, or its password must be changed first.",
            HttpStatusCode.NotFound => $"HTTP 404 for {request.RequestUri?.AbsolutePath}: wrong URL, or the database named by --database does not exist.",
            _ => $"HTTP {(int)status} {status} for {request.RequestUri?.AbsolutePath}.",
        };
        throw new ExternalServiceException(status == HttpStatusCode.Unauthorized ? "EHR-NEO-003" : "EHR-NEO-005", Service, message, IsTransientStatus(status));
    }

    private async Task<T> WithRetryAsync<T>(string what, Func<CancellationToken, Task<T>> action, CancellationToken cancellationToken)
    {
        var delay = _settings.InitialRetryDelay;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await action(cancellationToken);
            }
            catch (ExternalServiceException e) when (e.IsTransient && attempt < _settings.MaxAttempts)
            {
                _logger.LogWarning("Neo4j {What} failed ({Code}, attempt {Attempt}/{Max}); retrying in {Delay} ms: {Message}", what, e.Code, attempt, _settings.MaxAttempts, (long)delay.TotalMilliseconds, e.Message);
                await Task.Delay(delay, cancellationToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, _settings.MaxRetryDelay.Ticks));
            }
        }
    }
}
