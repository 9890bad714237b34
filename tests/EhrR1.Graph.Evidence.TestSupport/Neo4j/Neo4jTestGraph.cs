using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Neo4j.Http;

namespace EhrR1.Graph.Evidence.Neo4j;

/// <summary>
/// Loads a relation graph into Neo4j under a private label (<c>EvidenceCheck</c>) with prefixed CUIs, for the
/// agreement test and the benchmark, so it never mixes with a real graph; and answers shortestPath on it.
/// Same shape as the graph stage's model: (:Concept {cui})-[:UMLS_REL {rela, rel, sab}]->(:Concept); rows labelled
/// <c>co_occurs</c> become (:Concept)-[:CO_OCCURS]->(:Concept).
/// </summary>
internal static class Neo4jTestGraph
{
    private const string Label = "EvidenceCheck";

    public static async Task LoadAsync(CypherHttpClient client, string prefix, IEnumerable<string> cuis, IEnumerable<UmlsRelation> relations, CancellationToken cancellationToken)
    {
        var major = await client.ServerMajorVersionAsync(cancellationToken).ConfigureAwait(false);
        var ddl = major >= 4 ? "CREATE INDEX evidence_check_cui IF NOT EXISTS FOR (n:" + Label + ") ON (n.cui)" : "CREATE INDEX ON :" + Label + "(cui)";
        await client.RunAsync([new CypherStatement(ddl, new Dictionary<string, object?>())], cancellationToken).ConfigureAwait(false);
        foreach (var chunk in cuis.Select(c => prefix + c).Chunk(10_000))
        {
            await client.RunAsync([new CypherStatement("UNWIND $cuis AS c MERGE (:" + Label + " {cui: c})", new Dictionary<string, object?> { ["cuis"] = chunk })], cancellationToken).ConfigureAwait(false);
        }

        foreach (var chunk in relations.Chunk(10_000))
        {
            var rows = chunk.Where(r => r.Rela != RelationGraph.CooccurLabel).Select(r => new Dictionary<string, object?> { ["a"] = prefix + r.Cui1, ["b"] = prefix + r.Cui2, ["rela"] = r.Rela, ["rel"] = r.Rel, ["sab"] = r.Sab }).ToList();
            var co = chunk.Where(r => r.Rela == RelationGraph.CooccurLabel).Select(r => new Dictionary<string, object?> { ["a"] = prefix + r.Cui1, ["b"] = prefix + r.Cui2 }).ToList();
            await client.RunAsync(
                [
                    new CypherStatement("UNWIND $rows AS r MATCH (a:" + Label + " {cui: r.a}), (b:" + Label + " {cui: r.b}) CREATE (a)-[:UMLS_REL {rela: r.rela, rel: r.rel, sab: r.sab}]->(b)", new Dictionary<string, object?> { ["rows"] = rows }),
                    new CypherStatement("UNWIND $rows AS r MATCH (a:" + Label + " {cui: r.a}), (b:" + Label + " {cui: r.b}) CREATE (a)-[:CO_OCCURS]->(b)", new Dictionary<string, object?> { ["rows"] = co }),
                ],
                cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The server's shortest path length between two CUIs (any direction), or null when none. Written with $name
    /// parameters and converted for the server's generation by <see cref="CypherDialect.ForServer"/> (on 3.x: the
    /// CYPHER 2.3 planner, whose shortestPath works on Java 17, with {name} parameters).
    /// </summary>
    public static Task<int?> ShortestPathAsync(CypherHttpClient client, string prefix, string cuiA, string cuiB, CancellationToken cancellationToken) =>
        LengthAsync(
            client,
            "MATCH (a:" + Label + " {cui: $a}), (b:" + Label + " {cui: $b}) MATCH p = shortestPath((a)-[:UMLS_REL*..40]-(b)) RETURN length(p) AS len",
            new Dictionary<string, object?> { ["a"] = prefix + cuiA, ["b"] = prefix + cuiB },
            cancellationToken);

    /// <summary>
    /// As <see cref="ShortestPathAsync"/> over UMLS_REL and CO_OCCURS, with the pair-edge rule of
    /// <see cref="ThinkingGraphCypher.PairEdgeCondition"/>.
    /// </summary>
    public static Task<int?> ShortestPathWithCooccurrenceAsync(CypherHttpClient client, string prefix, string cuiA, string cuiB, bool keepPairEdge, CancellationToken cancellationToken) =>
        LengthAsync(
            client,
            "MATCH (a:" + Label + " {cui: $a}), (b:" + Label + " {cui: $b}) MATCH p = shortestPath((a)-[:UMLS_REL|CO_OCCURS*..40]-(b)) WHERE NONE(r IN relationships(p) WHERE " + ThinkingGraphCypher.PairEdgeCondition + ") RETURN length(p) AS len",
            new Dictionary<string, object?> { ["a"] = prefix + cuiA, ["b"] = prefix + cuiB, ["keep_pair_edge"] = keepPairEdge },
            cancellationToken);

    private static async Task<int?> LengthAsync(CypherHttpClient client, string statement, Dictionary<string, object?> parameters, CancellationToken cancellationToken)
    {
        var major = await client.ServerMajorVersionAsync(cancellationToken).ConfigureAwait(false);
        var rows = await client.RunAsync([new CypherStatement(CypherDialect.ForServer(statement, major), parameters)], cancellationToken).ConfigureAwait(false);
        return rows[0].Count == 0 ? null : rows[0][0]["len"]!.GetValue<int>();
    }

    public static async Task DeleteAsync(CypherHttpClient client, string prefix, CancellationToken cancellationToken)
    {
        await client.RunAsync([new CypherStatement("MATCH (n:" + Label + ") WHERE n.cui STARTS WITH $p DETACH DELETE n", new Dictionary<string, object?> { ["p"] = prefix })], cancellationToken).ConfigureAwait(false);
    }
}
