namespace EhrR1.Graph.TestSupport;

/// <summary>
/// A fact that needs a real Neo4j server at <c>EHRR1_TEST_NEO4J_URI</c> (e.g. http://127.0.0.1:7474).
/// Skipped when unset on a developer machine; fails instead when <c>EHRR1_REQUIRE_INTEGRATION=1</c> (CI).
/// </summary>
public sealed class RequiresNeo4jFactAttribute : FactAttribute
{
    public const string UriVariable = "EHRR1_TEST_NEO4J_URI";

    public RequiresNeo4jFactAttribute()
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(UriVariable)) && !TestPaths.RequireIntegration)
        {
            Skip = $"No Neo4j server: set {UriVariable} (scripts/neo4j.sh start prints it).";
        }
    }

    /// <summary>The server URI; throws when unset (which fails the test under CI).</summary>
    public static Uri ServerUri =>
        new(Environment.GetEnvironmentVariable(UriVariable)
            ?? throw new InvalidOperationException($"{UriVariable} is not set but EHRR1_REQUIRE_INTEGRATION=1 requires a Neo4j server. Run scripts/neo4j.sh start."));
}
