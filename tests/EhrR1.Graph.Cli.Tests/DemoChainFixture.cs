using EhrR1.Graph.Core;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// The demo chain up to evidence search, built once for the collection with the same commands <c>ehr-graph run</c>
/// uses: ingest (demo + chartevents subset), task index, training samples and subjects, the open sample vocabulary
/// and its index (the expensive part), concepts, co-occurrence on the training subjects, the graph, sample concepts,
/// evidence search. Built lazily, so tests skipped for missing data cost nothing.
/// </summary>
public sealed class DemoChainFixture : IDisposable
{
    private readonly TempDirectory _dir = new("ehrr1-chain-");
    private readonly Lazy<Task> _built;

    public DemoChainFixture()
    {
        _built = new Lazy<Task>(BuildAsync);
    }

    public string Store => _dir.Combine("store");

    public string TaskIndex => _dir.Combine("tasks", "index");

    public string TrainSamples => _dir.Combine("tasks", "train.jsonl");

    public string TrainSubjects => _dir.Combine("tasks", "train-subjects.txt");

    public string Rrf => _dir.Combine("vocab", "rrf");

    public string VocabIndex => _dir.Combine("vocab", "index");

    public string Concepts => _dir.Combine("concepts");

    public string Cooccur => _dir.Combine("graph", "cooccur");

    public string Graph => _dir.Combine("graph");

    public string SampleConcepts => _dir.Combine("evidence", "samples.jsonl");

    public string Evidence => _dir.Combine("evidence", "evidence.jsonl");

    /// <summary>The default (knowledge-first) evidence search of the same samples.</summary>
    public string KnowledgeEvidence => _dir.Combine("evidence", "knowledge.jsonl");

    /// <summary>The evidence report of <see cref="KnowledgeEvidence"/> (attrition, quality, pictures).</summary>
    public string KnowledgeReport => _dir.Combine("evidence", "knowledge-report");

    /// <summary>stdout of each chain command, by command name.</summary>
    public Dictionary<string, string> Reports { get; } = new(StringComparer.Ordinal);

    public string Combine(params string[] parts) => _dir.Combine(parts);

    public Task EnsureBuiltAsync() => _built.Value;

    public void Dispose() => _dir.Dispose();

    private async Task BuildAsync()
    {
        var ingest = new List<string> { "ingest", "--mimic", TestPaths.Dataset("mimic-iv-demo-2.2"), "--out", Store, "--quiet" };
        if (DataLocations.FindDataset("mimic-iv-demo-2.2-chartevents-subset") is { } ce)
        {
            ingest.AddRange(["--extra-table", "icu/chartevents=" + Path.Combine(ce, "chartevents.csv.gz")]);
        }

        await Step("ingest", [.. ingest]);
        await Step("tasks index", "tasks", "index", "--store", Store, "--out", TaskIndex, "--quiet");
        var caps = Path.Combine(AppContext.BaseDirectory, "demo.json");
        await Step("tasks sample", "tasks", "sample", "--index", TaskIndex, "--config", caps, "--test-ratio", "0.2", "--split", "train", "--out", TrainSamples, "--subjects-out", TrainSubjects, "--quiet");
        await Step("vocab", "umls", "build-sample", "--out", Rrf, "--quiet");
        await Step("vocab index", "umls", "build-index", "--rrf", Rrf, "--out", VocabIndex, "--quiet");
        await Step("concepts extract", "concepts", "extract", "--store", Store, "--index", VocabIndex, "--out", Concepts, "--quiet");
        await Step("graph cooccur", "graph", "cooccur", "--tasks", TaskIndex, "--concepts", Concepts, "--train-subjects", TrainSubjects, "--out", Cooccur, "--quiet");
        await Step("graph build", "graph", "build", "--cooccurrence", Cooccur, "--rrf", Rrf, "--out", Graph, "--quiet");
        await Step("concepts samples", "concepts", "samples", "--samples", TrainSamples, "--concepts", Concepts, "--out", SampleConcepts, "--quiet");
        await Step("evidence search", "evidence", "search", "--samples", SampleConcepts, "--graph", Graph, "--cooccurrence", Cooccur, "--search", "upstream", "--graph-kind", "both", "--threads", "2", "--out", Evidence, "--quiet");
        await Step("evidence search (knowledge)", "evidence", "search", "--samples", SampleConcepts, "--graph", Graph, "--cooccurrence", Cooccur, "--threads", "2", "--out", KnowledgeEvidence, "--quiet");
        await Step("evidence report", "evidence", "report", "--evidence", KnowledgeEvidence, "--out", KnowledgeReport, "--quiet");
    }

    private async Task Step(string name, params string[] args)
    {
        var (code, stdout, stderr) = await CliRunner.Run(args);
        if (code != 0)
        {
            throw new InvalidOperationException($"ehr-graph {name} failed with exit code {code}: {stderr}");
        }

        Reports[name] = stdout;
    }
}

[CollectionDefinition(Name)]
public sealed class DemoChainGroup : ICollectionFixture<DemoChainFixture>
{
    public const string Name = "demo chain";
}
