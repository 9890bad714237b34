// EhrR1.Graph knowledge graph: constraints and indexes for Neo4j 3.x (tested on 3.1.1).
// Applied by `ehr-graph graph load` when the server reports version 3.*; each statement runs in its own
// transaction. Re-running is safe: 3.x treats creating an existing constraint or index as a no-op.
// A uniqueness constraint also creates the index MERGE needs.
CREATE CONSTRAINT ON (c:Concept) ASSERT c.cui IS UNIQUE;
CREATE CONSTRAINT ON (t:Term) ASSERT t.key IS UNIQUE;
CREATE CONSTRAINT ON (s:Sample) ASSERT s.sample_id IS UNIQUE;
CREATE CONSTRAINT ON (p:EvidencePath) ASSERT p.path_id IS UNIQUE;
CREATE INDEX ON :Concept(name_key);
CREATE INDEX ON :Concept(group);
CREATE INDEX ON :Sample(task);
