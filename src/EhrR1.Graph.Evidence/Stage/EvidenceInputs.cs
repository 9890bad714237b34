using System.Text.Json;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Pairs;
using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Knowledge.Graph;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>Which relations the path search walks.</summary>
internal enum GraphKind
{
    /// <summary>UMLS relations (MRREL rows).</summary>
    Umls,

    /// <summary>Co-occurrence edges target → history with lift above the threshold (label <c>co_occurs</c>).</summary>
    Cooccurrence,

    /// <summary>Both.</summary>
    Both,
}

/// <summary>
/// Reads the evidence stage's inputs from files: a graph folder (<c>concepts.jsonl</c> of <see cref="GraphConcept"/>
/// and <c>relations.jsonl</c> of <see cref="UmlsRelation"/>), a co-occurrence file (<see cref="CooccurrenceStat"/>
/// rows) and an optional term map (<c>{"term","cui"}</c> rows). Field names are matched case-insensitively and in
/// snake_case or PascalCase.
/// </summary>
internal static class EvidenceInputs
{
    public const string ConceptsFile = "concepts.jsonl";
    public const string RelationsFile = "relations.jsonl";
    public const string CooccurLabel = RelationGraph.CooccurLabel;

    internal static readonly JsonSerializerOptions ReadOptions = new(JsonDefaults.Jsonl)
    {
        PropertyNameCaseInsensitive = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static async Task<LiftTable> LoadLiftsAsync(string path, double threshold, long minSupport, CancellationToken cancellationToken)
    {
        if (Directory.Exists(path))
        {
            // The graph stage's `graph cooccur --out` folder (pairs.jsonl, document_frequency.jsonl, tasks.jsonl).
            return LiftTable.Build(CooccurrenceFiles.ReadPairs(path), threshold, minSupport);
        }

        var rows = new List<CooccurrenceStat>();
        await foreach (var line in JsonlReader.ReadAsync<CooccurrenceStat>(path, ReadOptions, cancellationToken))
        {
            var r = line.Value;
            if (string.IsNullOrEmpty(r.Task) || string.IsNullOrEmpty(r.Target) || string.IsNullOrEmpty(r.History))
            {
                throw new InputDataException("EHR-EV-010", path, line.LineNumber, "task/target/history", "a co-occurrence row lacks a required field", expected: "non-empty task, target and history", found: "an empty or missing value");
            }

            rows.Add(r);
        }

        return LiftTable.Build(rows, threshold, minSupport);
    }

    public static async Task<List<KeyValuePair<string, string>>> LoadTermMapAsync(string? path, CancellationToken cancellationToken)
    {
        var map = new List<KeyValuePair<string, string>>();
        if (path is null)
        {
            return map;
        }

        await foreach (var line in JsonlReader.ReadAsync<TermLink>(path, ReadOptions, cancellationToken))
        {
            if (string.IsNullOrEmpty(line.Value.Term) || string.IsNullOrEmpty(line.Value.Cui))
            {
                throw new InputDataException("EHR-EV-011", path, line.LineNumber, "term/cui", "a term map row lacks a required field", expected: "{\"term\": ..., \"cui\": ...}", found: "an empty or missing value");
            }

            map.Add(new(line.Value.Term, line.Value.Cui));
        }

        return map;
    }

    /// <summary>Builds the search graph from a graph folder and/or the co-occurrence lifts.</summary>
    public static async Task<RelationGraph> LoadGraphAsync(string folder, GraphKind kind, IEnumerable<string> excludedRelas, LiftTable? lifts, IReadOnlyList<KeyValuePair<string, string>> termMap, CancellationToken cancellationToken)
    {
        var builder = new RelationGraphBuilder(excludedRelas);
        var binary = File.Exists(folder) ? folder : Path.Combine(folder, KnowledgeGraphFile.FileName);
        if (File.Exists(binary))
        {
            return FromKnowledgeGraph(KnowledgeGraphFile.Load(binary), kind, builder);
        }

        var conceptsPath = Path.Combine(folder, ConceptsFile);
        var relationsPath = Path.Combine(folder, RelationsFile);
        if (!Directory.Exists(folder) && !File.Exists(folder))
        {
            throw new InputDataException("EHR-EV-012", folder, null, null, "the graph folder does not exist", fix: "Pass the folder written by the graph stage (holding concepts.jsonl and relations.jsonl)");
        }

        var nameToCui = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        await foreach (var line in JsonlReader.ReadAsync<GraphConcept>(conceptsPath, ReadOptions, cancellationToken))
        {
            var c = line.Value;
            if (string.IsNullOrEmpty(c.Cui))
            {
                throw new InputDataException("EHR-EV-013", conceptsPath, line.LineNumber, "cui", "a concept has no CUI", expected: "a non-empty cui");
            }

            builder.AddConcept(c.Cui, c.Name);
            if (!string.IsNullOrEmpty(c.Name))
            {
                nameToCui.TryAdd(c.Name.Trim(), c.Cui);
            }
        }

        if (kind is GraphKind.Umls or GraphKind.Both)
        {
            await foreach (var line in JsonlReader.ReadAsync<UmlsRelation>(relationsPath, ReadOptions, cancellationToken))
            {
                var r = line.Value;
                if (string.IsNullOrEmpty(r.Cui1) || string.IsNullOrEmpty(r.Cui2))
                {
                    throw new InputDataException("EHR-EV-014", relationsPath, line.LineNumber, "cui1/cui2", "a relation lacks an end", expected: "non-empty cui1 and cui2");
                }

                builder.AddRelation(r.Cui1, r.Cui2, r.Rel, r.Rela, r.Sab);
            }
        }

        if (kind is GraphKind.Cooccurrence or GraphKind.Both && lifts is not null)
        {
            foreach (var (term, cui) in termMap)
            {
                nameToCui.TryAdd(term.Trim(), cui);
            }

            foreach (var (_, target, c) in lifts.Rows())
            {
                if (nameToCui.TryGetValue(target.Trim(), out var a) && nameToCui.TryGetValue(c.History.Trim(), out var b))
                {
                    builder.AddRelation(a, b, "CO", CooccurLabel);
                }
            }
        }

        return builder.Build();
    }

    /// <summary>The graph stage's embedded store: its concepts, UMLS_REL and CO_OCCURS edges (CUIs on both ends).</summary>
    public static RelationGraph FromKnowledgeGraph(KnowledgeGraph graph, GraphKind kind, RelationGraphBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(graph);
        ArgumentNullException.ThrowIfNull(builder);
        foreach (var c in graph.Concepts())
        {
            builder.AddConcept(c);
        }

        if (kind is GraphKind.Umls or GraphKind.Both)
        {
            foreach (var r in graph.UmlsRelations())
            {
                builder.AddRelation(r.Cui1, r.Cui2, r.Rel, r.Rela, r.Sab);
            }
        }

        if (kind is GraphKind.Cooccurrence or GraphKind.Both)
        {
            foreach (var e in graph.Cooccurrences())
            {
                builder.AddRelation(e.TargetCui, e.HistoryCui, "CO", CooccurLabel);
            }
        }

        return builder.Build();
    }

    /// <summary>The graph stage's term → CUI links (synonyms), when the graph is its embedded store.</summary>
    public static List<KeyValuePair<string, string>> TermsOf(string folder)
    {
        var binary = File.Exists(folder) ? folder : Path.Combine(folder, KnowledgeGraphFile.FileName);
        return File.Exists(binary) ? [.. KnowledgeGraphFile.Load(binary).Terms().Select(t => new KeyValuePair<string, string>(t.Text, t.Cui))] : [];
    }

    internal sealed record TermLink(string? Term, string? Cui);
}
