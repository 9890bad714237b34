using System.Globalization;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Knowledge.Extraction;

namespace EhrR1.Graph.Evidence.Synthetic;

/// <summary>
/// A seeded synthetic evidence workload for tests and the benchmark: a relation graph with hub-heavy degrees (like
/// UMLS), a term vocabulary (most terms name a concept, some do not), per-task co-occurrence rows and samples.
/// Scale 1 is sized like the demo run (about 20k concepts, 100k relations, 2k samples per task).
/// </summary>
internal sealed class SyntheticEvidenceWorkload
{
    private static readonly string[] Relas = ["isa", "inverse_isa", "may_treat", "may_be_treated_by", "has_finding_site", "finding_site_of", "associated_with", "has_ingredient", "ingredient_of", "subset includes concept"];

    public SyntheticEvidenceWorkload(int seed, double scale = 1.0, int samplesPerTask = 2000, int tasks = 3)
    {
        var rng = new Random(seed);
        var nodes = Math.Max(200, (int)(20_000 * scale));
        var relations = nodes * 5;
        for (var i = 0; i < nodes; i++)
        {
            Concepts.Add(new GraphConcept(Cui(i), "concept " + i.ToString(CultureInfo.InvariantCulture), ["T047"], "DISO"));
        }

        for (var e = 0; e < relations; e++)
        {
            // Hub-heavy: one end drawn from a skewed distribution.
            var a = (int)(nodes * Math.Pow(rng.NextDouble(), 3));
            var b = rng.Next(nodes);
            var rela = Relas[rng.Next(Relas.Length)];
            Relations.Add(new UmlsRelation(Cui(a), Cui(b), "RO", rela, "SYN"));
        }

        // Terms: 90% of them are concept names, the rest have no CUI.
        var vocabulary = Math.Max(100, (int)(3000 * Math.Sqrt(scale)));
        var terms = new string[vocabulary];
        for (var i = 0; i < vocabulary; i++)
        {
            terms[i] = rng.NextDouble() < 0.9
                ? "concept " + rng.Next(nodes).ToString(CultureInfo.InvariantCulture)
                : "unmapped term " + i.ToString(CultureInfo.InvariantCulture);
        }

        var targetVocabulary = Math.Max(20, vocabulary / 10);
        for (var t = 0; t < tasks; t++)
        {
            var task = "task" + t.ToString(CultureInfo.InvariantCulture);
            const long n = 10_000;
            for (var i = 0; i < targetVocabulary; i++)
            {
                if (i % 17 == 16)
                {
                    continue; // targets without any co-occurrence row
                }

                var target = terms[i];
                var dfT = 20 + rng.Next(200);
                for (var j = 0; j < 80; j++)
                {
                    var history = terms[rng.Next(vocabulary)];
                    var dfH = 1 + rng.Next(300);
                    var count = 1 + rng.Next(Math.Min(dfT, dfH));
                    var lift = count * (double)n / (dfT * (double)dfH);
                    Cooccurrence.Add(new CooccurrenceStat(task, target, history, count, dfT, dfH, n, lift));
                }
            }

            for (var s = 0; s < samplesPerTask; s++)
            {
                var targetCount = 1 + rng.Next(3);
                var targets = Enumerable.Range(0, targetCount).Select(_ => terms[(int)(targetVocabulary * Math.Pow(rng.NextDouble(), 2))]).ToList();
                var history = Enumerable.Range(0, 30 + rng.Next(200)).Select(_ => terms[rng.Next(vocabulary)]).Distinct(StringComparer.Ordinal).ToList();
                var hidden = Enumerable.Range(0, rng.Next(5)).Select(_ => terms[rng.Next(vocabulary)]).ToList();
                Samples.Add(new SampleConcepts
                {
                    SampleId = task + ":" + (10_000_000 + s).ToString(CultureInfo.InvariantCulture) + ":" + rng.Next(500).ToString(CultureInfo.InvariantCulture),
                    Task = task,
                    TaskType = "decision_making",
                    Targets = targets,
                    History = history,
                    HiddenHistory = hidden,
                });
            }
        }
    }

    public List<GraphConcept> Concepts { get; } = [];

    public List<UmlsRelation> Relations { get; } = [];

    public List<CooccurrenceStat> Cooccurrence { get; } = [];

    public List<SampleConcepts> Samples { get; } = [];

    public static string Cui(int i) => "C" + i.ToString("D7", CultureInfo.InvariantCulture);

    /// <summary>Writes graph/concepts.jsonl, graph/relations.jsonl, cooccurrence.jsonl and samples.jsonl.</summary>
    public void WriteTo(string folder)
    {
        var graph = Path.Combine(folder, "graph");
        Directory.CreateDirectory(graph);
        WriteJsonl(Path.Combine(graph, EvidenceInputs.ConceptsFile), Concepts);
        WriteJsonl(Path.Combine(graph, EvidenceInputs.RelationsFile), Relations);
        WriteJsonl(Path.Combine(folder, "cooccurrence.jsonl"), Cooccurrence);
        WriteJsonl(Path.Combine(folder, "samples.jsonl"), Samples);
    }

    private static void WriteJsonl<T>(string path, IEnumerable<T> rows)
    {
        using var stream = File.Create(path);
        using var writer = new JsonlWriter(stream, EvidenceInputs.ReadOptions);
        foreach (var row in rows)
        {
            writer.Write(row);
        }
    }
}
