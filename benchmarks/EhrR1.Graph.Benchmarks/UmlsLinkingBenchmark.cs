using System.Globalization;
using EhrR1.Graph.Core;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Umls.Evaluation;
using EhrR1.Graph.Umls.Indexing;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Sample;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>umls-linking [--data DIR] [--work DIR] [--rrf DIR --index DIR] [--misses KIND]</c>: links the MIMIC-IV demo's
/// diagnosis titles, lab labels and drug names through the open sample vocabulary (built into <c>--work</c> unless
/// <c>--rrf</c>/<c>--index</c> name existing ones) and prints the accuracy per group; <c>--misses drug_names</c> also
/// lists that group's misses (vocabulary strings only: item names, never patient rows).
/// </summary>
internal sealed class UmlsLinkingBenchmark : IBenchmark
{
    public string Name => "umls-linking";

    public string Description => "UMLS resolver: linking accuracy of the demo's diagnosis titles, lab labels and drug names";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var data = BenchmarkArgs.Get(args, "--data") ?? DataLocations.FindDataRoot();
        if (data is null)
        {
            Console.Error.WriteLine("shared data not found: pass --data DIR or set EHRR1_DATA");
            return 1;
        }

        var work = BenchmarkArgs.Get(args, "--work") ?? Path.Combine(Path.GetTempPath(), "ehrr1-umls-linking-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var rrf = BenchmarkArgs.Get(args, "--rrf") ?? Path.Combine(work, "vocab");
        var indexDir = BenchmarkArgs.Get(args, "--index") ?? Path.Combine(work, "index");
        try
        {
            if (BenchmarkArgs.Get(args, "--rrf") is null)
            {
                await new OpenVocabularyBuilder().BuildAsync(
                    new SampleVocabularySettings { DataDirectory = data, OutputDirectory = rrf, Force = true }, new Progress<StageProgress>(), cancellationToken);
            }

            if (BenchmarkArgs.Get(args, "--index") is null)
            {
                await new UmlsIndexBuilder(NullLogger.Instance).BuildAsync(
                    new IndexBuildSettings { RrfDirectory = rrf, OutputDirectory = indexDir, Force = true }, new Progress<StageProgress>(), cancellationToken);
            }

            var show = BenchmarkArgs.Get(args, "--misses");
            using var index = UmlsIndex.Open(indexDir);
            using var resolver = new UmlsResolver(index);
            var scores = await LinkingAccuracy.EvaluateAsync(resolver, rrf, Path.Combine(data, "mimic-iv-demo-2.2"), cancellationToken, (kind, term, expected, got) =>
            {
                if (string.Equals(kind, show, StringComparison.Ordinal))
                {
                    var expectedNames = string.Join(" | ", expected.Order(StringComparer.Ordinal).Select(c => c + " " + resolver.PreferredName(c)));
                    Console.WriteLine(got is null
                        ? $"MISS {term} -> none; expected {expectedNames}"
                        : $"MISS {term} -> {got.Cui} {got.Name} ({got.Method}); expected {expectedNames}");
                }
            });
            Console.WriteLine("| group | items | resolved | correct | accuracy |");
            Console.WriteLine("|---|---|---|---|---|");
            foreach (var s in scores)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {s.Kind} | {s.Items:N0} | {s.Resolved:N0} | {s.Correct:N0} | {s.Accuracy:P1} |"));
            }

            return 0;
        }
        finally
        {
            if (BenchmarkArgs.Get(args, "--work") is null && Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }
}
