using System.Text.Json;
using EhrR1.Graph.Neo4j.Http;

namespace EhrR1.Graph.Neo4j.Browser;

/// <summary>
/// Example values for the guide's <c>:param</c> blocks, read from the loaded graph, so that every ready query of the
/// guide answers on whatever run was loaded without the user editing an id: a sample that has a thinking graph (and
/// its task), a concept of that sample with co-occurrence edges in that task, and two concepts two UMLS relations apart.
/// A value the server cannot provide (e.g. no thinking graph loaded yet) is left out; the guide then keeps its
/// generic example for it.
/// </summary>
public static class GuideExamples
{
    // Read-only, parameterised, and bounded (LIMIT 1 over indexed or small label scans).
    private const string SampleQuery =
        "MATCH (s:Sample) WHERE s.status = $status AND (s)-[:HAS_PATH]->(:EvidencePath) " +
        "RETURN s.sample_id, s.task ORDER BY s.sample_id LIMIT 1";

    private const string SampleConceptQuery =
        "MATCH (:Sample {sample_id: $sample_id})-[:USES {role: $role}]->(c:Concept)-[e:CO_OCCURS {task: $task}]->(:Concept) " +
        "RETURN c.name, e.task ORDER BY e.lift DESC, c.cui LIMIT 1";

    private const string AnyConceptQuery =
        "MATCH (c:Concept)-[e:CO_OCCURS]->(:Concept) RETURN c.name, e.task ORDER BY e.lift DESC, c.cui LIMIT 1";

    private const string PairQuery =
        "MATCH (a:Concept)-[:UMLS_REL]->(:Concept)-[:UMLS_REL]->(b:Concept) WHERE a <> b AND a.name <> b.name " +
        "RETURN a.name, b.name LIMIT 1";

    /// <summary>Parameter name → example value (only the ones found).</summary>
    public static async Task<IReadOnlyDictionary<string, string>> FindAsync(Neo4jHttpClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var examples = new Dictionary<string, string>(StringComparer.Ordinal);
        var sample = await FirstRowAsync(client, SampleQuery, cancellationToken, ("status", "graph"));
        if (sample is [{ } id, { } task])
        {
            examples["sample_id"] = id;
            examples["task"] = task;
        }

        var concept = examples.TryGetValue("sample_id", out var sampleId)
            ? await FirstRowAsync(client, SampleConceptQuery, cancellationToken, ("sample_id", sampleId), ("role", "target"), ("task", examples["task"]))
            : null;
        concept ??= await FirstRowAsync(client, AnyConceptQuery, cancellationToken);
        if (concept is [{ } name, { } conceptTask])
        {
            examples["name"] = name;
            examples.TryAdd("task", conceptTask);
        }

        if (await FirstRowAsync(client, PairQuery, cancellationToken) is [{ } from, { } to])
        {
            examples["from"] = from;
            examples["to"] = to;
        }

        return examples;
    }

    private static async Task<string?[]?> FirstRowAsync(Neo4jHttpClient client, string query, CancellationToken cancellationToken, params (string Name, object? Value)[] parameters)
    {
        var values = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in parameters)
        {
            values[name] = value;
        }

        var result = await client.ExecuteAsync(new CypherStatement(query, values), cancellationToken);
        return result.Rows.Count == 0 ? null : result.Rows[0].Select(v => v.ValueKind == JsonValueKind.String ? v.GetString() : null).ToArray();
    }
}
