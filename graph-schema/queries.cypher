// Saved queries for Neo4j Browser (EhrR1.Graph). Parameters: set them first, e.g.
//   :param cui => 'C0020621'      (3.1.1 Browser: :param cui: 'C0020621')
//   :param task => 'prescriptions'

// 1. A concept by name or term (case-insensitive)
MATCH (c:Concept) WHERE c.name_key = toLower(trim($name))
RETURN c
UNION
MATCH (:Term {key: toLower(trim($name))})-[:DENOTES]->(c:Concept)
RETURN c;

// 2. A concept's strongest co-occurrences in one task (target -> history, by lift)
MATCH (c:Concept {cui: $cui})-[e:CO_OCCURS {task: $task}]->(h:Concept)
RETURN e.target_term AS target, e.history_term AS history, h.cui AS history_cui, e.count AS count, e.lift AS lift, e.history_df AS history_df, e.n AS n
ORDER BY e.lift DESC, e.count DESC
LIMIT 25;

// 3. The strongest co-occurrences of a concept in every task (top 5 per task)
MATCH (c:Concept {cui: $cui})-[e:CO_OCCURS]->(h:Concept)
WITH e.task AS task, e, h ORDER BY e.lift DESC
WITH task, collect({history: e.history_term, lift: e.lift, count: e.count})[0..5] AS top
RETURN task, top ORDER BY task;

// 4. UMLS neighbourhood of a concept (both directions, one hop), as a graph
MATCH p = (c:Concept {cui: $cui})-[:UMLS_REL]-(:Concept)
RETURN p LIMIT 100;

// 5. Paths between two concepts through UMLS relations (up to 4 hops)
MATCH (a:Concept {cui: $from}), (b:Concept {cui: $to})
MATCH p = allShortestPaths((a)-[:UMLS_REL*..4]-(b))
RETURN p LIMIT 10;

// 6. Co-occurrence pairs that also have a UMLS path (explainable statistics) for a task
MATCH (t:Concept)-[e:CO_OCCURS {task: $task}]->(h:Concept)
WHERE e.lift > 10
MATCH p = shortestPath((t)-[:UMLS_REL*..3]-(h))
RETURN e.target_term, e.history_term, e.lift, [r IN relationships(p) | r.rela] AS relations
ORDER BY e.lift DESC LIMIT 25;

// 7. A task's attrition: target concepts, those with co-occurrence edges, those linked to UMLS
MATCH (t:Concept)-[e:CO_OCCURS {task: $task}]->()
WITH DISTINCT t
RETURN count(t) AS targets_with_pairs,
       sum(CASE WHEN t.cui STARTS WITH 'EHR:' THEN 1 ELSE 0 END) AS targets_without_cui,
       sum(CASE WHEN size((t)-[:UMLS_REL]-()) > 0 THEN 1 ELSE 0 END) AS targets_with_umls_relations;

// 8. A sample's thinking graph (once evidence search has written samples and paths)
MATCH (s:Sample {sample_id: $sample_id})
OPTIONAL MATCH p1 = (s)-[:TARGET|HISTORY]->(:Concept)
OPTIONAL MATCH p2 = (s)-[:HAS_PATH]->(:EvidencePath)-[:STEP]->(:Concept)
RETURN s, p1, p2;

// 9. Counts by kind
MATCH (c:Concept) WITH count(c) AS concepts
MATCH ()-[r:CO_OCCURS]->() WITH concepts, count(r) AS co_occurs
MATCH ()-[u:UMLS_REL]->() RETURN concepts, co_occurs, count(u) AS umls_rel;
