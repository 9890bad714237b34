using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Neo4j.Http;

namespace EhrR1.Graph.Evidence.Neo4j;

/// <summary>
/// The Cypher of the thinking-graph model in Neo4j (docs/evidence.md, "Neo4j"). Common subset of Neo4j 3.1 and 5.x;
/// every value is a parameter.
/// <code>
/// (:Sample {sample_id, task, status, rendered, grade})-[:HAS_PATH]->(:EvidencePath {path_id, sample_id, target, history, length, rendered, grade, rank})
/// (:Sample)-[:USES {role: 'target'|'history'}]->(:Concept {cui, name})
/// (:EvidencePath)-[:STEP {pos}]->(:Concept)
/// (:Concept)-[:EVIDENCE {sample_id, path_id, pos, relation, direction, source, reads, grade}]->(:Concept)   one per hop, in path order
/// </code>
/// </summary>
internal static class ThinkingGraphCypher
{
    /// <summary>Removes earlier paths of the samples ($ids), so a rewrite never leaves stale paths. A path's hops are
    /// reached from its own STEP concepts (hop k joins step k to step k+1), never by scanning every EVIDENCE
    /// relationship: relationship properties have no index, and that scan made a rewrite of the demo's 2,507
    /// samples time out.</summary>
    public const string DeleteOldPaths = """
        UNWIND $ids AS id
        MATCH (:Sample {sample_id: id})-[:HAS_PATH]->(p:EvidencePath)
        OPTIONAL MATCH (p)-[s1:STEP]->(a:Concept), (p)-[s2:STEP]->(b:Concept)
        WHERE s2.pos = s1.pos + 1
        OPTIONAL MATCH (a)-[e:EVIDENCE]->(b)
        WHERE e.path_id = p.path_id AND e.pos = s1.pos
        DELETE e
        WITH DISTINCT p
        DETACH DELETE p
        """;

    public const string MergeSamples = """
        UNWIND $samples AS s
        MERGE (sm:Sample {sample_id: s.sample_id})
        SET sm.task = s.task, sm.status = s.status, sm.rendered = s.rendered, sm.grade = s.grade
        WITH sm, s
        UNWIND s.concepts AS c
        MERGE (k:Concept {cui: c.cui})
        ON CREATE SET k.name = c.name
        MERGE (sm)-[:USES {role: c.role}]->(k)
        """;

    /// <summary>Kind labels of the path concepts (a no-op for concepts <c>graph load</c> already labelled).</summary>
    private static readonly string KindLabels = "WITH c, st " + Core.Concepts.ConceptKinds.CypherSetLabel("c", "st");

    public static readonly string MergePaths = """
        UNWIND $paths AS p
        MATCH (sm:Sample {sample_id: p.sample_id})
        MERGE (ep:EvidencePath {path_id: p.path_id})
        SET ep.sample_id = p.sample_id, ep.target = p.target, ep.history = p.history, ep.length = p.length, ep.rendered = p.rendered, ep.grade = p.grade, ep.rank = p.rank
        MERGE (sm)-[:HAS_PATH]->(ep)
        WITH ep, p
        UNWIND p.steps AS st
        MERGE (c:Concept {cui: st.cui})
        ON CREATE SET c.name = st.name
        MERGE (ep)-[:STEP {pos: st.pos}]->(c)
        """ + "\n" + KindLabels;

    public const string CreateHops = """
        UNWIND $hops AS h
        MATCH (a:Concept {cui: h.from}), (b:Concept {cui: h.to})
        CREATE (a)-[:EVIDENCE {sample_id: h.sample_id, path_id: h.path_id, pos: h.pos, relation: h.relation, direction: h.direction, source: h.source, reads: h.reads, grade: h.grade}]->(b)
        """;

    /// <summary>One sample's stored paths, in order, with their concepts ($sample_id).</summary>
    public const string SamplePaths = """
        MATCH (:Sample {sample_id: $sample_id})-[:HAS_PATH]->(p:EvidencePath)-[st:STEP]->(c:Concept)
        WITH p, st, c ORDER BY p.path_id, st.pos
        RETURN p.path_id AS path_id, p.target AS target, p.history AS history, collect(c.cui) AS cuis, collect(c.name) AS names
        ORDER BY path_id
        """;

    /// <summary>One sample's thinking graph as a Browser-friendly picture ($sample_id): the sample, the concepts it
    /// uses, its evidence hops. Reached through the sample's paths (indexed), never by scanning every EVIDENCE hop.
    /// The Browser guide (graph-schema/guide/ehr-graph.html) holds the same query; a test keeps them equal.</summary>
    public const string SampleGraph = """
        MATCH (s:Sample {sample_id: $sample_id})
        OPTIONAL MATCH (s)-[u:USES]->(c:Concept)
        OPTIONAL MATCH (s)-[:HAS_PATH]->(p:EvidencePath)-[:STEP]->(a:Concept)-[e:EVIDENCE {path_id: p.path_id}]->(b:Concept)
        RETURN s, u, c, a, e, b
        """;

    /// <summary>Re-runs one pair's search on the server over the graph stage's UMLS relations
    /// ($target_cui, $history_cui, $excluded): <c>--graph-kind umls</c>. Same exclusions; no sibling rule (Cypher
    /// cannot express it). Written for Neo4j 4 and later; <see cref="ServerSearch"/> gives the 3.x form
    /// (<see cref="CypherDialect.ForServer"/>: <c>CYPHER 2.3</c>, <c>{name}</c> parameters).</summary>
    public const string ServerShortestPath = """
        MATCH (a:Concept {cui: $target_cui}), (b:Concept {cui: $history_cui})
        MATCH p = shortestPath((a)-[:UMLS_REL*..20]-(b))
        WHERE NONE(r IN relationships(p) WHERE r.rela IN $excluded)
        RETURN [n IN nodes(p) | n.cui] AS cuis, [r IN relationships(p) | r.rela] AS relations, [r IN relationships(p) | startNode(r).cui] AS stored_from
        """;

    /// <summary>The relationship r of a path from a to b is the pair's own CO_OCCURS edge, and $keep_pair_edge is
    /// false. Used inside <c>NONE(r IN relationships(p) WHERE ...)</c>, with the switch inside the predicate: only a
    /// per-relationship predicate is applied while the server searches. Written as <c>$keep OR NONE(...)</c> instead,
    /// Neo4j 3.1 (Cypher 2.3 planner) returned a longer path than the shortest one that obeys the rule.</summary>
    public const string PairEdgeCondition = "(NOT $keep_pair_edge AND type(r) = 'CO_OCCURS' AND ((startNode(r) = a AND endNode(r) = b) OR (startNode(r) = b AND endNode(r) = a)))";

    /// <summary>The same over the UMLS relations and the co-occurrence edges (<c>--graph-kind both</c>), with the
    /// search's pair-edge rule: unless $keep_pair_edge is true, a CO_OCCURS edge between the pair's own two concepts
    /// (either direction) is not walked. Relations are reported with the embedded search's labels.</summary>
    public const string ServerShortestPathWithCooccurrence =
        "MATCH (a:Concept {cui: $target_cui}), (b:Concept {cui: $history_cui})\n" +
        "MATCH p = shortestPath((a)-[:UMLS_REL|CO_OCCURS*..20]-(b))\n" +
        "WHERE NONE(r IN relationships(p) WHERE coalesce(r.rela, '') IN $excluded OR " + PairEdgeCondition + ")\n" +
        "RETURN [n IN nodes(p) | n.cui] AS cuis,\n" +
        "       [r IN relationships(p) | CASE WHEN type(r) = 'CO_OCCURS' THEN 'co_occurs' WHEN coalesce(r.rela, '') = '' THEN r.rel ELSE r.rela END] AS relations,\n" +
        "       [r IN relationships(p) | startNode(r).cui] AS stored_from";

    /// <summary>The same over the co-occurrence edges only (<c>--graph-kind cooccurrence</c>), same pair-edge rule.</summary>
    public const string ServerShortestPathCooccurrenceOnly =
        "MATCH (a:Concept {cui: $target_cui}), (b:Concept {cui: $history_cui})\n" +
        "MATCH p = shortestPath((a)-[:CO_OCCURS*..20]-(b))\n" +
        "WHERE NONE(r IN relationships(p) WHERE " + PairEdgeCondition + ")\n" +
        "RETURN [n IN nodes(p) | n.cui] AS cuis, [r IN relationships(p) | 'co_occurs'] AS relations, [r IN relationships(p) | startNode(r).cui] AS stored_from";

    /// <summary>The server-search statement and parameters for one pair, for the graph kind the search used, written
    /// for a server of major version <paramref name="serverMajor"/> (3, 4 or 5).</summary>
    public static CypherStatement ServerSearch(GraphKind kind, string targetCui, string historyCui, IReadOnlyList<string> excluded, bool keepPairEdge, int serverMajor)
    {
        var s = Unconverted(kind, targetCui, historyCui, excluded, keepPairEdge);
        return s with { Statement = CypherDialect.ForServer(s.Statement, serverMajor) };
    }

    private static CypherStatement Unconverted(GraphKind kind, string targetCui, string historyCui, IReadOnlyList<string> excluded, bool keepPairEdge) => kind switch
    {
        GraphKind.Umls => new(ServerShortestPath, new Dictionary<string, object?> { ["target_cui"] = targetCui, ["history_cui"] = historyCui, ["excluded"] = excluded }),
        GraphKind.Cooccurrence => new(ServerShortestPathCooccurrenceOnly, new Dictionary<string, object?> { ["target_cui"] = targetCui, ["history_cui"] = historyCui, ["keep_pair_edge"] = keepPairEdge }),
        _ => new(ServerShortestPathWithCooccurrence, new Dictionary<string, object?> { ["target_cui"] = targetCui, ["history_cui"] = historyCui, ["excluded"] = excluded, ["keep_pair_edge"] = keepPairEdge }),
    };

    public static string PathId(string sampleId, int index) => sampleId + "#" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>A path step's row: the concept, its position, and its kind label fields.</summary>
    private static Dictionary<string, object?> Step(EvidenceNode n, int pos)
    {
        var row = new Dictionary<string, object?> { ["cui"] = n.Cui, ["name"] = n.Name, ["pos"] = pos };
        foreach (var (k, v) in Core.Concepts.ConceptKinds.RowFields(n.Kind is not null && Core.Concepts.ConceptKinds.All.Contains(n.Kind) ? n.Kind : null))
        {
            row[k] = v;
        }

        return row;
    }

    /// <summary>The statements that write a batch of records.</summary>
    public static IReadOnlyList<CypherStatement> WriteBatch(IReadOnlyList<EvidenceRecord> records)
    {
        ArgumentNullException.ThrowIfNull(records);
        var samples = new List<object>();
        var paths = new List<object>();
        var hops = new List<object>();
        foreach (var r in records)
        {
            var concepts = new Dictionary<(string, string), object>();
            foreach (var p in r.Pairs)
            {
                if (p.TargetCui is not null)
                {
                    concepts.TryAdd((p.TargetCui, "target"), new Dictionary<string, object?> { ["cui"] = p.TargetCui, ["name"] = p.Target, ["role"] = "target" });
                }

                if (p.HistoryCui is not null)
                {
                    concepts.TryAdd((p.HistoryCui, "history"), new Dictionary<string, object?> { ["cui"] = p.HistoryCui, ["name"] = p.History, ["role"] = "history" });
                }
            }

            samples.Add(new Dictionary<string, object?> { ["sample_id"] = r.SampleId, ["task"] = r.Task, ["status"] = r.Status, ["rendered"] = r.Rendered, ["grade"] = r.Grade, ["concepts"] = concepts.Values.ToList() });
            for (var i = 0; i < r.Paths.Count; i++)
            {
                var p = r.Paths[i];
                var id = PathId(r.SampleId, i);
                paths.Add(new Dictionary<string, object?>
                {
                    ["sample_id"] = r.SampleId,
                    ["path_id"] = id,
                    ["target"] = p.Target,
                    ["history"] = p.History,
                    ["length"] = p.Hops.Count,
                    ["rendered"] = PathRendering.Arrow(p),
                    ["grade"] = p.Grade,
                    ["rank"] = i,
                    ["steps"] = p.Nodes.Select((n, pos) => Step(n, pos)).ToList(),
                });
                for (var h = 0; h < p.Hops.Count; h++)
                {
                    hops.Add(new Dictionary<string, object?>
                    {
                        ["from"] = p.Nodes[h].Cui,
                        ["to"] = p.Nodes[h + 1].Cui,
                        ["sample_id"] = r.SampleId,
                        ["path_id"] = id,
                        ["pos"] = h,
                        ["relation"] = p.Hops[h].Relation,
                        ["direction"] = p.Hops[h].Direction,
                        ["source"] = p.Hops[h].Source,
                        ["reads"] = p.Hops[h].Reads,
                        ["grade"] = p.Grade,
                    });
                }
            }
        }

        return
        [
            new(DeleteOldPaths, new Dictionary<string, object?> { ["ids"] = records.Select(r => r.SampleId).ToList() }),
            new(MergeSamples, new Dictionary<string, object?> { ["samples"] = samples }),
            new(MergePaths, new Dictionary<string, object?> { ["paths"] = paths }),
            new(CreateHops, new Dictionary<string, object?> { ["hops"] = hops }),
        ];
    }
}
