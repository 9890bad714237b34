using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Neo4j.Loading;

/// <summary>
/// What to load: counts plus re-enumerable, deterministically ordered sequences (the resume logic skips
/// already committed batches by position, so every enumeration must yield the same order). The fingerprint
/// identifies the graph content, so a checkpoint of another graph is never reused.
/// </summary>
public sealed record GraphLoadSource(
    string Fingerprint,
    long ConceptCount,
    Func<IEnumerable<GraphConcept>> Concepts,
    long TermCount,
    Func<IEnumerable<GraphTerm>> Terms,
    long CoOccurrenceCount,
    Func<IEnumerable<CooccurrenceEdge>> CoOccurrences,
    long UmlsRelationCount,
    Func<IEnumerable<UmlsRelation>> UmlsRelations);
