using EhrR1.Graph.Neo4j.Http;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.IntegrationTests.Neo4j;

/// <summary>
/// The real Neo4j server of <c>EHRR1_TEST_NEO4J_URI</c> (started by <c>scripts/neo4j.sh start</c>), shared by the
/// tests of the <see cref="Neo4jServerGroup"/>, which run one at a time and each start from an empty database.
/// </summary>
public sealed class Neo4jServerFixture
{
    public static Neo4jSettings Settings(int attempts = 6) =>
        Neo4jSettings.FromEnvironment(RequiresNeo4jFactAttribute.ServerUri) with
        {
            MaxAttempts = attempts,
            InitialRetryDelay = TimeSpan.FromMilliseconds(200),
            MaxRetryDelay = TimeSpan.FromSeconds(1),
        };

    public static Neo4jHttpClient NewClient(int attempts = 6) => new(Settings(attempts), NullLogger.Instance);

    /// <summary>
    /// Deletes every relationship, then every node, in chunks of 20,000, so a big leftover (the demo graph an
    /// end-to-end run loaded) cannot exhaust the small heap: deleting nodes with DETACH in one chunk also deletes all
    /// their relationships in that transaction, which for category hubs (a CCSR category classifies thousands of
    /// codes) ran the 512 MiB server out of memory.
    /// </summary>
    public static async Task ClearAsync(Neo4jHttpClient client)
    {
        foreach (var statement in new[] { "MATCH ()-[r]->() WITH r LIMIT 20000 DELETE r RETURN count(*) AS c", "MATCH (n) WITH n LIMIT 20000 DETACH DELETE n RETURN count(*) AS c" })
        {
            while (true)
            {
                var r = await client.ExecuteAsync(new CypherStatement(statement), CancellationToken.None);
                if (r.Rows[0][0].GetInt64() == 0)
                {
                    break;
                }
            }
        }
    }

    /// <summary>Runs scripts/neo4j.sh with the port of the test server.</summary>
    public static async Task<int> RunScriptAsync(string command)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("bash", [Path.Combine(TestPaths.RepoRoot, "scripts", "neo4j.sh"), command])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["EHRR1_NEO4J_HTTP_PORT"] = RequiresNeo4jFactAttribute.ServerUri.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        using var p = System.Diagnostics.Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        await Task.WhenAll(stdout, stderr);
        return p.ExitCode;
    }
}

[CollectionDefinition(Name)]
public sealed class Neo4jServerGroup : ICollectionFixture<Neo4jServerFixture>
{
    public const string Name = "Neo4j server";
}
