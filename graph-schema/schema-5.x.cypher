// EhrR1.Graph knowledge graph: constraints and indexes for Neo4j 5.x (FOR ... REQUIRE syntax).
// Applied by `ehr-graph graph load` when the server reports version 5 or later.
CREATE CONSTRAINT concept_cui IF NOT EXISTS FOR (c:Concept) REQUIRE c.cui IS UNIQUE;
CREATE CONSTRAINT term_key IF NOT EXISTS FOR (t:Term) REQUIRE t.key IS UNIQUE;
CREATE CONSTRAINT sample_id IF NOT EXISTS FOR (s:Sample) REQUIRE s.sample_id IS UNIQUE;
CREATE CONSTRAINT evidence_path_id IF NOT EXISTS FOR (p:EvidencePath) REQUIRE p.path_id IS UNIQUE;
CREATE INDEX concept_name_key IF NOT EXISTS FOR (c:Concept) ON (c.name_key);
CREATE INDEX concept_group IF NOT EXISTS FOR (c:Concept) ON (c.group);
CREATE INDEX sample_task IF NOT EXISTS FOR (s:Sample) ON (s.task);
