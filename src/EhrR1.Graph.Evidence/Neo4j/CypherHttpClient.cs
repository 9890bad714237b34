using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Evidence.Neo4j;

/// <summary>One parameterised Cypher statement.</summary>
internal sealed record CypherStatement(string Statement, IReadOnlyDictionary<string, object?> Parameters);

/// <summary>
/// A small client of Neo4j's HTTP transactional Cypher endpoint (3.x: <c>/db/data/transaction/commit</c>; 4.x/5.x:
/// <c>/db/{database}/tx/commit</c>, discovered from <c>GET /</c>). Only parameterised statements. Credentials come from
/// <c>EHRR1_NEO4J_USER</c> / <c>EHRR1_NEO4J_PASSWORD</c>. Transient failures (network, 5xx, Neo.TransientError) are
/// retried with back-off. (The evidence stage's own client until the graph stage's client is merged.)
/// </summary>
internal sealed class CypherHttpClient : IDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _baseUri;
    private readonly string _database;
    private Uri? _commitUri;

    public CypherHttpClient(Uri baseUri, string database = "neo4j", HttpMessageHandler? handler = null)
    {
        _baseUri = baseUri;
        _database = database;
        _http = handler is null ? new HttpClient() : new HttpClient(handler);
        _http.Timeout = TimeSpan.FromMinutes(5);
        _http.DefaultRequestHeaders.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        var user = Environment.GetEnvironmentVariable("EHRR1_NEO4J_USER");
        var password = Environment.GetEnvironmentVariable("EHRR1_NEO4J_PASSWORD");
        if (!string.IsNullOrEmpty(user))
        {
            _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(user + ":" + password)));
        }
    }

    public int MaxAttempts { get; init; } = 5;

    public void Dispose() => _http.Dispose();

    /// <summary>Runs the statements in one transaction; returns each statement's rows (column → value).</summary>
    public async Task<List<List<Dictionary<string, JsonNode?>>>> RunAsync(IReadOnlyList<CypherStatement> statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var commit = await CommitUriAsync(cancellationToken);
        var body = new { statements = statements.Select(s => new { statement = s.Statement, parameters = s.Parameters }) };
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                using var response = await _http.PostAsJsonAsync(commit, body, cancellationToken);
                if ((int)response.StatusCode >= 500 || response.StatusCode == HttpStatusCode.TooManyRequests)
                {
                    throw new HttpRequestException("Neo4j answered HTTP " + (int)response.StatusCode, null, response.StatusCode);
                }

                if (response.StatusCode == HttpStatusCode.Unauthorized)
                {
                    throw new ExternalServiceException("EHR-EV-N4J-401", "Neo4j", "Neo4j refused the credentials. Set EHRR1_NEO4J_USER and EHRR1_NEO4J_PASSWORD.", isTransient: false);
                }

                response.EnsureSuccessStatusCode();
                var json = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken))!;
                var errors = json["errors"]?.AsArray() ?? [];
                if (errors.Count > 0)
                {
                    var code = errors[0]?["code"]?.GetValue<string>() ?? "unknown";
                    var transient = code.StartsWith("Neo.TransientError", StringComparison.Ordinal);
                    if (transient && attempt < MaxAttempts)
                    {
                        await Task.Delay(Backoff(attempt), cancellationToken);
                        continue;
                    }

                    throw new ExternalServiceException("EHR-EV-N4J-001", "Neo4j", "Neo4j rejected a statement: " + code + ": " + (errors[0]?["message"]?.GetValue<string>() ?? string.Empty), isTransient: transient);
                }

                var results = new List<List<Dictionary<string, JsonNode?>>>();
                foreach (var result in json["results"]!.AsArray())
                {
                    var columns = result!["columns"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
                    var rows = new List<Dictionary<string, JsonNode?>>();
                    foreach (var data in result["data"]!.AsArray())
                    {
                        var row = data!["row"]!.AsArray();
                        var map = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                        for (var i = 0; i < columns.Count; i++)
                        {
                            map[columns[i]] = row[i]?.DeepClone();
                        }

                        rows.Add(map);
                    }

                    results.Add(rows);
                }

                return results;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException && !cancellationToken.IsCancellationRequested)
            {
                if (attempt >= MaxAttempts)
                {
                    throw new ExternalServiceException("EHR-EV-N4J-002", "Neo4j", "Neo4j is not reachable at " + _baseUri + " after " + attempt + " attempts: " + ex.Message, isTransient: true, ex);
                }

                await Task.Delay(Backoff(attempt), cancellationToken);
            }
        }
    }

    /// <summary>The server's major version (from <c>dbms.components()</c>).</summary>
    public async Task<int> ServerMajorVersionAsync(CancellationToken cancellationToken)
    {
        var rows = await RunAsync([new CypherStatement("CALL dbms.components() YIELD versions RETURN versions[0] AS v", new Dictionary<string, object?>())], cancellationToken);
        var v = rows[0][0]["v"]?.GetValue<string>() ?? "3";
        return int.Parse(v.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
    }

    private static TimeSpan Backoff(int attempt) => TimeSpan.FromMilliseconds(200 * Math.Pow(2, attempt - 1));

    private async Task<Uri> CommitUriAsync(CancellationToken cancellationToken)
    {
        if (_commitUri is not null)
        {
            return _commitUri;
        }

        try
        {
            using var response = await _http.GetAsync(_baseUri, cancellationToken);
            var root = JsonNode.Parse(await response.Content.ReadAsStringAsync(cancellationToken));
            var tx = root?["transaction"]?.GetValue<string>();
            _commitUri = tx is not null
                ? new Uri(tx.Replace("{databaseName}", _database, StringComparison.Ordinal).TrimEnd('/') + "/commit")
                : new Uri(_baseUri, "/db/data/transaction/commit");
        }
        catch (Exception ex) when (ex is HttpRequestException or JsonException)
        {
            throw new ExternalServiceException("EHR-EV-N4J-003", "Neo4j", "Could not discover the Neo4j HTTP endpoint at " + _baseUri + ": " + ex.Message, isTransient: true, ex);
        }

        return _commitUri;
    }
}
