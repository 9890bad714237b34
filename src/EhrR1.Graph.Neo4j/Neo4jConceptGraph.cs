using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Neo4j.Http;
using EhrR1.Graph.Neo4j.Loading;

namespace EhrR1.Graph.Neo4j;

/// <summary>
/// <see cref="IConceptGraph"/> over a Neo4j server (the model of <c>graph-schema/README.md</c>). Every query is a
/// constant parameterised statement in the Cypher subset shared by 3.1 and 5.x. Results are ordered in code, so the
/// answers equal the embedded store's.
/// </summary>
public sealed class Neo4jConceptGraph(Neo4jHttpClient client) : IConceptGraph
{
    private const string ConceptColumns = "c.cui AS cui, c.name AS name, c.tuis AS tuis, c.group AS grp";

    /// <inheritdoc />
    public async ValueTask<GraphConcept?> GetConceptAsync(string cui, CancellationToken cancellationToken = default)
    {
        var r = await client.ExecuteAsync(new CypherStatement("MATCH (c:Concept {cui: $cui}) RETURN " + ConceptColumns, P(("cui", cui))), cancellationToken);
        return r.Rows.Count == 0 ? null : ReadConcept(r.Rows[0], 0);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<GraphConcept>> FindConceptsByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        var key = GraphCypher.Key(name);
        var results = await client.ExecuteAsync(
            [
                new CypherStatement("MATCH (c:Concept) WHERE c.name_key = $key RETURN " + ConceptColumns, P(("key", key))),
                new CypherStatement("MATCH (:Term {key: $key})-[:DENOTES]->(c:Concept) RETURN " + ConceptColumns, P(("key", key))),
            ],
            cancellationToken);
        return results.SelectMany(r => r.Rows).Select(row => ReadConcept(row, 0))
            .DistinctBy(c => c.Cui, StringComparer.Ordinal)
            .OrderBy(c => c.Cui, StringComparer.Ordinal)
            .ToList();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<GraphNeighbour>> GetNeighboursAsync(string cui, GraphEdgeKinds kinds = GraphEdgeKinds.All, EdgeDirection direction = EdgeDirection.Both, CancellationToken cancellationToken = default)
    {
        var statements = new List<(GraphEdgeKinds Kind, EdgeDirection Dir, CypherStatement S)>();
        const string NodeColumns = "n.cui AS cui, n.name AS name, n.tuis AS tuis, n.group AS grp";
        foreach (var dir in new[] { EdgeDirection.Outgoing, EdgeDirection.Incoming })
        {
            if ((direction & dir) == 0)
            {
                continue;
            }

            var pattern = dir == EdgeDirection.Outgoing ? "-[r:{0}]->" : "<-[r:{0}]-";
            if (kinds.HasFlag(GraphEdgeKinds.UmlsRelation))
            {
                statements.Add((GraphEdgeKinds.UmlsRelation, dir, new CypherStatement(
                    "MATCH (c:Concept {cui: $cui})" + string.Format(CultureInfo.InvariantCulture, pattern, "UMLS_REL") + "(n:Concept) RETURN " + NodeColumns + ", r.rel AS rel, r.rela AS rela, r.sab AS sab",
                    P(("cui", cui)))));
            }

            if (kinds.HasFlag(GraphEdgeKinds.CoOccurrence))
            {
                statements.Add((GraphEdgeKinds.CoOccurrence, dir, new CypherStatement(
                    "MATCH (c:Concept {cui: $cui})" + string.Format(CultureInfo.InvariantCulture, pattern, "CO_OCCURS") + "(n:Concept) RETURN " + NodeColumns + ", r.task AS task, max(r.lift) AS lift",
                    P(("cui", cui)))));
            }
        }

        if (statements.Count == 0)
        {
            return [];
        }

        var results = await client.ExecuteAsync(statements.Select(s => s.S).ToList(), cancellationToken);
        var list = new List<GraphNeighbour>();
        for (var i = 0; i < results.Count; i++)
        {
            var (kind, dir, _) = statements[i];
            foreach (var row in results[i].Rows)
            {
                var concept = ReadConcept(row, 0);
                if (kind == GraphEdgeKinds.UmlsRelation)
                {
                    var rel = Str(row[4]) ?? string.Empty;
                    var rela = Str(row[5]) ?? string.Empty;
                    list.Add(new GraphNeighbour(concept, kind, dir, rela.Length > 0 ? rela : rel, rel, Str(row[6]), null));
                }
                else
                {
                    list.Add(new GraphNeighbour(concept, kind, dir, Str(row[4]) ?? string.Empty, null, null, row[5].ValueKind == JsonValueKind.Number ? row[5].GetDouble() : null));
                }
            }
        }

        return GraphOrdering.Neighbours(list);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<CooccurrenceEdge>> GetTopCooccurrencesAsync(string cui, string task, int limit, CancellationToken cancellationToken = default)
    {
        if (limit <= 0)
        {
            return [];
        }

        var r = await client.ExecuteAsync(
            new CypherStatement(
                "MATCH (c:Concept {cui: $cui})-[e:CO_OCCURS {task: $task}]->(h:Concept) " +
                "RETURN h.cui AS hcui, e.target_term AS tt, e.history_term AS ht, e.count AS count, e.target_df AS tdf, e.history_df AS hdf, e.n AS n, e.lift AS lift " +
                "ORDER BY e.lift DESC, e.count DESC, e.history_term ASC LIMIT $limit",
                P(("cui", cui), ("task", task), ("limit", limit))),
            cancellationToken);
        return r.Rows.Select(row => new CooccurrenceEdge(
                cui,
                Str(row[0])!,
                new CooccurrenceStat(task, Str(row[1])!, Str(row[2])!, row[3].GetInt64(), row[4].GetInt64(), row[5].GetInt64(), row[6].GetInt64(), row[7].GetDouble())))
            .ToList();
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyList<UmlsRelation>> GetUmlsRelationsAsync(string cui, CancellationToken cancellationToken = default)
    {
        const string Columns = "a.cui AS cui1, b.cui AS cui2, r.rel AS rel, r.rela AS rela, r.sab AS sab";
        var results = await client.ExecuteAsync(
            [
                new CypherStatement("MATCH (a:Concept {cui: $cui})-[r:UMLS_REL]->(b:Concept) RETURN " + Columns, P(("cui", cui))),
                new CypherStatement("MATCH (a:Concept)-[r:UMLS_REL]->(b:Concept {cui: $cui}) RETURN " + Columns, P(("cui", cui))),
            ],
            cancellationToken);
        var rows = results.SelectMany(r => r.Rows)
            .Select(row => new UmlsRelation(Str(row[0])!, Str(row[1])!, Str(row[2]) ?? string.Empty, Str(row[3]) ?? string.Empty, Str(row[4]) ?? string.Empty))
            .Distinct();
        return GraphOrdering.Relations(rows);
    }

    /// <inheritdoc />
    public async ValueTask<IReadOnlyDictionary<string, long>> GetCountsAsync(CancellationToken cancellationToken = default)
    {
        var results = await client.ExecuteAsync(
            [
                new CypherStatement("MATCH (c:Concept) RETURN count(c)"),
                new CypherStatement("MATCH (:Term)-[d:DENOTES]->(:Concept) RETURN count(d)"), // (term key, concept) links, as the embedded store counts them
                new CypherStatement("MATCH ()-[r:CO_OCCURS]->() RETURN count(r)"),
                new CypherStatement("MATCH ()-[r:UMLS_REL]->() RETURN count(r)"),
            ],
            cancellationToken);
        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["concepts"] = results[0].Rows[0][0].GetInt64(),
            ["terms"] = results[1].Rows[0][0].GetInt64(),
            ["co_occurs"] = results[2].Rows[0][0].GetInt64(),
            ["umls_rel"] = results[3].Rows[0][0].GetInt64(),
        };
    }

    private static Dictionary<string, object?> P(params (string Name, object? Value)[] ps)
    {
        var d = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (n, v) in ps)
        {
            d[n] = v;
        }

        return d;
    }

    private static string? Str(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString() : null;

    private static GraphConcept ReadConcept(JsonElement[] row, int offset)
    {
        var tuis = row[offset + 2].ValueKind == JsonValueKind.Array ? row[offset + 2].EnumerateArray().Select(x => x.GetString() ?? string.Empty).ToArray() : [];
        return new GraphConcept(Str(row[offset])!, Str(row[offset + 1]) ?? string.Empty, tuis, Str(row[offset + 3]));
    }
}
