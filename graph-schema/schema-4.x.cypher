// EhrR1.Graph knowledge graph: constraints and indexes for Neo4j 4.x (4.1 to 4.4: named, IF NOT EXISTS,
// ON ... ASSERT syntax; 4.4 also accepts the 5.x FOR ... REQUIRE form but still takes this one).
// Applied by `ehr-graph graph load` when the server reports version 4.*.
CREATE CONSTRAINT concept_cui IF NOT EXISTS ON (c:Concept) ASSERT c.cui IS UNIQUE;
CREATE CONSTRAINT term_key IF NOT EXISTS ON (t:Term) ASSERT t.key IS UNIQUE;
CREATE CONSTRAINT sample_id IF NOT EXISTS ON (s:Sample) ASSERT s.sample_id IS UNIQUE;
CREATE CONSTRAINT evidence_path_id IF NOT EXISTS ON (p:EvidencePath) ASSERT p.path_id IS UNIQUE;
CREATE INDEX concept_name_key IF NOT EXISTS FOR (c:Concept) ON (c.name_key);
CREATE INDEX concept_group IF NOT EXISTS FOR (c:Concept) ON (c.group);
CREATE INDEX sample_task IF NOT EXISTS FOR (s:Sample) ON (s.task);
