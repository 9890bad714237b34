// Saved queries for Neo4j Browser (EhrR1.Graph); the guide (guide/ehr-graph.html) has them as clickable slides.
// Set the parameters first, in the Browser's editor:
//   Neo4j 3.1 (Browser 2.0):   :param name: 'Potassium Chloride'      (one per command; :params lists them)
//   Neo4j 3.2 and later:       :param name => 'Potassium Chloride'
// Parameters used: name, task, sample_id, from, to.

// 1. A concept by name or term (case-insensitive)
MATCH (c:Concept) WHERE c.name_key = toLower(trim($name))
RETURN c
UNION
MATCH (:Term {key: toLower(trim($name))})-[:DENOTES]->(c:Concept)
RETURN c;

// 2. A concept's strongest co-occurrences per task (top 5 per task, by lift)
OPTIONAL MATCH (byName:Concept {name_key: toLower(trim($name))})
OPTIONAL MATCH (:Term {key: toLower(trim($name))})-[:DENOTES]->(byTerm:Concept)
WITH collect(DISTINCT byName) + collect(DISTINCT byTerm) AS found
UNWIND found AS c
WITH DISTINCT c
MATCH (c)-[e:CO_OCCURS]->(h:Concept)
WITH e.task AS task, e, h ORDER BY e.lift DESC, e.count DESC
RETURN task, collect(h.name + ' (lift ' + toString(round(e.lift * 10) / 10) + ', ' + toString(e.count) + ' samples)')[0..5] AS strongest
ORDER BY task;

// 3. A concept's co-occurrences in one task, as a table with every statistic
MATCH (c:Concept)-[e:CO_OCCURS {task: $task}]->(h:Concept)
WHERE c.name_key = toLower(trim($name))
RETURN e.target_term AS target, e.history_term AS history, h.cui AS history_cui, e.count AS count, e.lift AS lift, e.target_df AS target_df, e.history_df AS history_df, e.n AS n
ORDER BY e.lift DESC, e.count DESC
LIMIT 25;

// 4. UMLS neighbourhood of a concept (both directions, one hop), as a graph
MATCH (c:Concept) WHERE c.name_key = toLower(trim($name))
MATCH p = (c)-[:UMLS_REL]-(:Concept)
RETURN p LIMIT 100;

// 5. A sample's thinking graph: the sample, the concepts it uses, its evidence hops
MATCH (s:Sample {sample_id: $sample_id})
OPTIONAL MATCH (s)-[u:USES]->(c:Concept)
OPTIONAL MATCH (s)-[:HAS_PATH]->(p:EvidencePath)-[:STEP]->(a:Concept)-[e:EVIDENCE {path_id: p.path_id}]->(b:Concept)
RETURN s, u, c, a, e, b;

// 6. A sample's paths as text, in order
MATCH (:Sample {sample_id: $sample_id})-[:HAS_PATH]->(p:EvidencePath)-[st:STEP]->(c:Concept)
WITH p, st, c ORDER BY p.path_id, st.pos
RETURN p.path_id AS path_id, p.target AS target, p.history AS history, collect(c.cui) AS cuis, collect(c.name) AS names
ORDER BY path_id;

// 7. Paths between two concepts through UMLS relations (up to 4 hops). Neo4j 3.1 on Java 17 needs the 2.3
//    planner for shortest paths (the 3.1 planner fails with IncompatibleClassChangeError), and the 2.3 planner
//    reads parameters as {from}; on Neo4j 4 or later drop "CYPHER 2.3" and write $from, $to.
CYPHER 2.3
MATCH (a:Concept {name_key: toLower(trim({from}))}), (b:Concept {name_key: toLower(trim({to}))})
MATCH p = allShortestPaths((a)-[:UMLS_REL*..4]-(b))
RETURN p LIMIT 10;

// 8. The attrition of a task: samples by the last point they reached (status)
MATCH (s:Sample {task: $task})
WITH count(*) AS total, collect(s.status) AS statuses
UNWIND statuses AS status
RETURN status, count(*) AS samples, round(1000.0 * count(*) / total) / 10 AS percent
ORDER BY samples DESC, status;

// 9. The attrition of every task
MATCH (s:Sample)
RETURN s.task AS task, s.status AS status, count(*) AS samples
ORDER BY task, samples DESC, status;

// 10. A task's co-occurrence coverage: target concepts with pairs, without a real CUI, with UMLS relations
MATCH (t:Concept)-[:CO_OCCURS {task: $task}]->()
WITH DISTINCT t
RETURN count(t) AS targets_with_pairs,
       sum(CASE WHEN t.cui STARTS WITH 'EHR:' THEN 1 ELSE 0 END) AS targets_without_cui,
       sum(CASE WHEN size((t)-[:UMLS_REL]-()) > 0 THEN 1 ELSE 0 END) AS targets_with_umls_relations;

// 11. Counts by kind
MATCH (c:Concept) WITH count(c) AS concepts
OPTIONAL MATCH ()-[r:CO_OCCURS]->() WITH concepts, count(r) AS co_occurs
OPTIONAL MATCH ()-[u:UMLS_REL]->() WITH concepts, co_occurs, count(u) AS umls_relations
OPTIONAL MATCH (s:Sample)
RETURN concepts, co_occurs, umls_relations, count(s) AS samples;
