using System.Text.Json.Nodes;
using EhrR1.Graph.Neo4j.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Evidence.Neo4j;

/// <summary>One parameterised Cypher statement.</summary>
internal sealed record CypherStatement(string Statement, IReadOnlyDictionary<string, object?> Parameters);

/// <summary>
/// The evidence stage's view of Neo4j: a thin facade over the graph stage's <see cref="Neo4jHttpClient"/> (HTTP
/// transactional Cypher API, endpoint discovery for 3.x–5.x, credentials from <c>EHRR1_NEO4J_USER</c> /
/// <c>EHRR1_NEO4J_PASSWORD</c>, retries of transient failures). Only parameterised statements.
/// </summary>
internal sealed class CypherHttpClient : IDisposable
{
    private readonly Neo4jHttpClient _client;

    public CypherHttpClient(Uri baseUri, string? database = null, ILogger? logger = null)
    {
        _client = new Neo4jHttpClient(Neo4jSettings.FromEnvironment(baseUri, database), logger ?? NullLogger.Instance);
    }

    public void Dispose() => _client.Dispose();

    /// <summary>Runs the statements in one transaction; returns each statement's rows (column → value).</summary>
    public async Task<List<List<Dictionary<string, JsonNode?>>>> RunAsync(IReadOnlyList<CypherStatement> statements, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(statements);
        var results = await _client.ExecuteAsync([.. statements.Select(s => new EhrR1.Graph.Neo4j.Http.CypherStatement(s.Statement, s.Parameters))], cancellationToken).ConfigureAwait(false);
        var all = new List<List<Dictionary<string, JsonNode?>>>(results.Count);
        foreach (var result in results)
        {
            var rows = new List<Dictionary<string, JsonNode?>>(result.Rows.Count);
            foreach (var row in result.Rows)
            {
                var map = new Dictionary<string, JsonNode?>(StringComparer.Ordinal);
                for (var i = 0; i < result.Columns.Count; i++)
                {
                    map[result.Columns[i]] = JsonNode.Parse(row[i].GetRawText());
                }

                rows.Add(map);
            }

            all.Add(rows);
        }

        return all;
    }

    /// <summary>Applies the graph model's versioned schema (graph-schema/schema-N.x.cypher), which also covers
    /// :Sample, :EvidencePath and :Concept; returns the number of statements run.</summary>
    public Task<int> ApplySchemaAsync(CancellationToken cancellationToken) =>
        EhrR1.Graph.Neo4j.Schema.SchemaScripts.ApplyAsync(_client, cancellationToken);

    /// <summary>The server's major version.</summary>
    public async Task<int> ServerMajorVersionAsync(CancellationToken cancellationToken) =>
        (await _client.ConnectAsync(cancellationToken).ConfigureAwait(false)).Major;
}
