using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Evaluation.Baselines;
using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Knowledge.Graph;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>Loads the graph baseline's inputs with the pipeline's own readers: <c>concepts samples</c> records,
/// the <c>graph cooccur</c> pairs and the <c>graph build</c> store.</summary>
internal static class GraphBaselineLoader
{
    public static async Task<GraphBaselineInputs> LoadAsync(IReadOnlyList<string> sampleConceptFiles, string cooccurrenceDirectory, string graphPath, CancellationToken cancellationToken)
    {
        // check every path before reading anything
        foreach (var f in sampleConceptFiles.Where(f => !File.Exists(f)))
        {
            throw new InputDataException("EHR-EVAL-041", f, null, null, "the sample concepts file does not exist", fix: "Write it with `ehr-graph concepts samples --all-tasks --samples <tasks sample output> --concepts <concepts folder> --out <file>`");
        }

        var binary = File.Exists(graphPath) ? graphPath : Path.Combine(graphPath, KnowledgeGraphFile.FileName);
        var graph = KnowledgeGraphFile.Load(binary);
        var pairs = CooccurrenceFiles.ReadPairs(cooccurrenceDirectory).ToList();
        var history = new List<KeyValuePair<string, IReadOnlyList<string>>>();
        var cuis = new List<KeyValuePair<string, string>>();
        foreach (var file in sampleConceptFiles)
        {
            JsonlKind.SampleConcepts.Require(file);
            await foreach (var line in JsonlReader.ReadAsync<SampleConcepts>(file, JsonDefaults.Jsonl, cancellationToken))
            {
                var r = line.Value;
                if (string.IsNullOrEmpty(r.SampleId))
                {
                    throw new InputDataException("EHR-EVAL-042", file, line.LineNumber, "sample_id", "a sample concepts record has no sample_id", expected: "the output of `ehr-graph concepts samples`");
                }

                history.Add(new(r.SampleId, r.History ?? []));
                foreach (var kv in (r.Cuis ?? new Dictionary<string, string>()).OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    cuis.Add(kv);
                }
            }
        }

        return new GraphBaselineInputs(history, pairs, cuis, graph.UmlsRelations());
    }
}
