using System.Globalization;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Neo4j.Http;

namespace EhrR1.Graph.Neo4j.Loading;

/// <summary>
/// The load statements (constants: data only ever travels in <c>$rows</c>) and the mapping of model records to
/// parameter rows. Every statement is an <c>UNWIND $rows AS r MERGE ...</c>, so re-running a batch is harmless.
/// </summary>
internal static class GraphCypher
{
    /// <summary>Concepts, each with its kind as a second label (<see cref="ConceptKinds"/>) for Browser styling.</summary>
    public static readonly string MergeConcepts =
        "UNWIND $rows AS r MERGE (c:Concept {cui: r.cui}) " +
        "SET c.name = r.name, c.name_key = r.name_key, c.tuis = r.tuis, c.group = r.group " +
        ConceptKinds.CypherSetLabel("c", "r");

    public const string MergeTerms =
        "UNWIND $rows AS r MATCH (c:Concept {cui: r.cui}) " +
        "MERGE (t:Term {key: r.key}) SET t.text = r.text " +
        "MERGE (t)-[:DENOTES]->(c)";

    public const string MergeCoOccurrences =
        "UNWIND $rows AS r MATCH (a:Concept {cui: r.a}) MATCH (b:Concept {cui: r.b}) " +
        "MERGE (a)-[e:CO_OCCURS {task: r.task, target_term: r.tt, history_term: r.ht}]->(b) " +
        "SET e.count = r.count, e.lift = r.lift, e.target_df = r.tdf, e.history_df = r.hdf, e.n = r.n";

    public const string MergeUmlsRelations =
        "UNWIND $rows AS r MATCH (a:Concept {cui: r.a}) MATCH (b:Concept {cui: r.b}) " +
        "MERGE (a)-[:UMLS_REL {rel: r.rel, rela: r.rela, sab: r.sab}]->(b)";

    /// <summary>The case-insensitive lookup key of a name or term.</summary>
    public static string Key(string text) => text.Trim().ToLowerInvariant();

    public static Dictionary<string, object?> Row(GraphConcept c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var row = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["cui"] = c.Cui,
            ["name"] = c.Name,
            ["name_key"] = Key(c.Name),
            ["tuis"] = c.Tuis.ToArray(),
            ["group"] = c.Group,
        };
        foreach (var (k, v) in ConceptKinds.RowFields(ConceptKinds.Of(c.Group, [.. c.Tuis], c.Name, c.Cui)))
        {
            row[k] = v;
        }

        return row;
    }

    public static Dictionary<string, object?> Row(GraphTerm t) => new(StringComparer.Ordinal)
    {
        ["cui"] = t.Cui,
        ["key"] = Key(t.Text),
        ["text"] = t.Text,
    };

    public static Dictionary<string, object?> Row(CooccurrenceEdge e) => new(StringComparer.Ordinal)
    {
        ["a"] = e.TargetCui,
        ["b"] = e.HistoryCui,
        ["task"] = e.Stat.Task,
        ["tt"] = e.Stat.Target,
        ["ht"] = e.Stat.History,
        ["count"] = e.Stat.Count,
        ["lift"] = e.Stat.Lift,
        ["tdf"] = e.Stat.TargetDf,
        ["hdf"] = e.Stat.HistoryDf,
        ["n"] = e.Stat.TaskSamples,
    };

    public static Dictionary<string, object?> Row(UmlsRelation r) => new(StringComparer.Ordinal)
    {
        ["a"] = r.Cui1,
        ["b"] = r.Cui2,
        ["rel"] = r.Rel,
        ["rela"] = r.Rela,
        ["sab"] = r.Sab,
    };

    /// <summary>One batch statement.</summary>
    public static CypherStatement Batch(string text, List<Dictionary<string, object?>> rows) =>
        new(text, new Dictionary<string, object?>(StringComparer.Ordinal) { ["rows"] = rows });

    /// <summary>Splits a sequence into batches of <paramref name="size"/> rows (the last may be shorter).</summary>
    public static IEnumerable<List<Dictionary<string, object?>>> Batches<T>(IEnumerable<T> items, Func<T, Dictionary<string, object?>> map, int size)
    {
        if (size < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(size), size.ToString(CultureInfo.InvariantCulture));
        }

        var batch = new List<Dictionary<string, object?>>(size);
        foreach (var item in items)
        {
            batch.Add(map(item));
            if (batch.Count == size)
            {
                yield return batch;
                batch = new List<Dictionary<string, object?>>(size);
            }
        }

        if (batch.Count > 0)
        {
            yield return batch;
        }
    }
}
