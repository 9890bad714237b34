using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Neo4j;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.BrowserTests;

/// <summary>
/// A small clinical graph (real UMLS CUIs and names: hypokalaemia, potassium chloride, furosemide, ...) and two
/// samples, pushed into the test server the way a user does it: <c>graph load</c>, <c>evidence search</c>,
/// <c>evidence neo4j</c>, run in-process. Every CUI carries a per-run prefix and the task a per-run name, so nothing
/// merges with other data on the server; <see cref="DisposeAsync"/> deletes exactly what was written.
/// </summary>
internal sealed class ThinkingGraphScenario : IAsyncDisposable
{
    private static readonly (string Cui, string Name, string Tui, string Group)[] Concepts =
    [
        ("C0032821", "Potassium", "T196", "CHEM"),
        ("C0032825", "Potassium Chloride", "T197", "CHEM"),
        ("C0020621", "Hypokalemia", "T047", "DISO"),
        ("C0016860", "Furosemide", "T109", "CHEM"),
        ("C0012798", "Diuretics", "T121", "CHEM"),
        ("C0020538", "Hypertensive disease", "T047", "DISO"),
        ("C0018801", "Heart failure", "T047", "DISO"),
    ];

    // MRREL-style rows (CUI1, CUI2, REL, RELA): stored from CUI1 to CUI2
    private static readonly (string A, string B, string Rel, string Rela)[] Relations =
    [
        ("C0032825", "C0032821", "RO", "has_ingredient"),
        ("C0020621", "C0032825", "RO", "may_be_treated_by"),
        ("C0016860", "C0012798", "PAR", "isa"),
        ("C0016860", "C0020621", "RO", "may_cause"),
        ("C0016860", "C0018801", "RO", "may_treat"),
        ("C0016860", "C0020538", "RO", "may_treat"),
    ];

    private readonly TempDirectory _dir = new("ehrr1-browser-");
    private readonly Uri _server;

    private ThinkingGraphScenario(Uri server)
    {
        _server = server;
        var run = Guid.NewGuid().ToString("N")[..8];
        Prefix = "bt" + run + "-";
        Task = "labevents-bt" + run;
        SampleId = Task + ":10000032:12";
        SampleWithoutGraphId = Task + ":10000084:3";
    }

    /// <summary>Prefix of every CUI written.</summary>
    public string Prefix { get; }

    /// <summary>The task of both samples (unique per run).</summary>
    public string Task { get; }

    /// <summary>The sample with a thinking graph.</summary>
    public string SampleId { get; }

    /// <summary>A sample that ends without a graph (no knowledge path joins heart failure to potassium within the
    /// grading rules: the only route needs three clinical hops).</summary>
    public string SampleWithoutGraphId { get; }

    /// <summary>The evidence record of <see cref="SampleId"/>, as evidence search wrote it.</summary>
    public EvidenceRecord Record { get; private set; } = null!;

    /// <summary>The evidence record of <see cref="SampleWithoutGraphId"/>.</summary>
    public EvidenceRecord RecordWithoutGraph { get; private set; } = null!;

    /// <summary>The concept name of a prefixed CUI.</summary>
    public string NameOf(string cui) => Concepts.Single(c => Prefix + c.Cui == cui).Name;

    /// <summary>The kind label (Drug, Disorder, ...) the load gives a prefixed CUI.</summary>
    public string? KindOf(string cui)
    {
        var c = Concepts.Single(x => Prefix + x.Cui == cui);
        return ConceptKinds.Of(c.Group, [c.Tui], c.Name);
    }

    /// <summary>The concepts the thinking graph of <see cref="SampleId"/> shows: the ones it uses and its path nodes.</summary>
    public IReadOnlyCollection<string> ThinkingGraphCuis =>
        Record.Pairs.SelectMany(p => new[] { p.TargetCui, p.HistoryCui }).OfType<string>()
            .Concat(Record.Paths.SelectMany(p => p.Nodes.Select(n => n.Cui)))
            .ToHashSet(StringComparer.Ordinal);

    public static async Task<ThinkingGraphScenario> LoadAsync(Uri server)
    {
        var scenario = new ThinkingGraphScenario(server);
        try
        {
            await scenario.WriteAsync();
            return scenario;
        }
        catch
        {
            await scenario.DisposeAsync();
            throw;
        }
    }

    private async Task WriteAsync()
    {
        var graphDir = _dir.Combine("graph");
        Directory.CreateDirectory(graphDir);
        var builder = new KnowledgeGraphBuilder();
        foreach (var (cui, name, tui, group) in Concepts)
        {
            builder.AddConcept(new GraphConcept(Prefix + cui, name, [tui], group));
        }

        foreach (var (a, b, rel, rela) in Relations)
        {
            builder.AddUmlsRelation(new UmlsRelation(Prefix + a, Prefix + b, rel, rela, "MED-RT"));
        }

        // target Potassium (a lab) with history concepts, as graph cooccur would keep them (lift > 5, df >= 5)
        CooccurrenceStat[] stats =
        [
            new(Task, "Potassium", "Hypokalemia", 12, 20, 14, 400, 12 * 400.0 / (20 * 14)),
            new(Task, "Potassium", "Furosemide", 9, 20, 30, 400, 9 * 400.0 / (20 * 30)),
            new(Task, "Potassium", "Hypertensive disease", 6, 20, 21, 400, 6 * 400.0 / (20 * 21)),
        ];
        foreach (var s in stats)
        {
            builder.AddCooccurrence(new CooccurrenceEdge(CuiOf(s.Target), CuiOf(s.History), s));
        }

        KnowledgeGraphFile.Save(builder.Build(), Path.Combine(graphDir, KnowledgeGraphFile.FileName));
        var cooccurrence = _dir.Combine("cooccurrence.jsonl");
        await File.WriteAllLinesAsync(cooccurrence, stats.Select(s => JsonSerializer.Serialize(new
        {
            task = s.Task, target = s.Target, history = s.History, count = s.Count, target_df = s.TargetDf,
            history_df = s.HistoryDf, task_samples = s.TaskSamples, lift = s.Lift,
        })));
        var samples = _dir.Combine("samples.jsonl");
        await File.WriteAllLinesAsync(samples,
        [
            JsonSerializer.Serialize(new
            {
                sample_id = SampleId, task = Task, task_type = "decision_making", targets = new[] { "Potassium" },
                history = new[] { "Hypokalemia", "Furosemide", "Hypertensive disease" },
                cuis = new Dictionary<string, string> { ["Potassium"] = CuiOf("Potassium"), ["Hypokalemia"] = CuiOf("Hypokalemia"), ["Furosemide"] = CuiOf("Furosemide"), ["Hypertensive disease"] = CuiOf("Hypertensive disease") },
            }),
            JsonSerializer.Serialize(new
            {
                sample_id = SampleWithoutGraphId, task = Task, task_type = "decision_making", targets = new[] { "Heart failure" },
                history = new[] { "Potassium" },
                cuis = new Dictionary<string, string> { ["Heart failure"] = CuiOf("Heart failure"), ["Potassium"] = CuiOf("Potassium") },
            }),
        ]);

        var evidence = _dir.Combine("evidence.jsonl");
        await CliAsync("graph", "load", "--graph", graphDir, "--neo4j", _server.AbsoluteUri, "--batch-size", "100");
        await CliAsync("evidence", "search", "--samples", samples, "--graph", graphDir, "--cooccurrence", cooccurrence, "--out", evidence, "--threads", "1");
        await CliAsync("evidence", "neo4j", "--evidence", evidence, "--neo4j", _server.AbsoluteUri);
        var records = File.ReadLines(evidence).Select(l => JsonSerializer.Deserialize<EvidenceRecord>(l)!).ToDictionary(r => r.SampleId, StringComparer.Ordinal);
        Record = records[SampleId];
        RecordWithoutGraph = records[SampleWithoutGraphId];
    }

    private string CuiOf(string name) => Prefix + Concepts.Single(c => c.Name == name).Cui;

    private static async Task CliAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, CancellationToken.None);
        code.Should().Be(0, "ehr-graph {0} failed: {1}", string.Join(' ', args), error);
    }

    /// <summary>Deletes the samples, paths, hops and concepts of this run (and only those).</summary>
    public async ValueTask DisposeAsync()
    {
        try
        {
            using var client = new CypherHttpClient(_server);
            await client.RunAsync(
            [
                new CypherStatement("MATCH (s:Sample {task: $task}) OPTIONAL MATCH (s)-[:HAS_PATH]->(p:EvidencePath) DETACH DELETE p, s", new Dictionary<string, object?> { ["task"] = Task }),
                new CypherStatement("MATCH (c:Concept) WHERE c.cui STARTS WITH $prefix DETACH DELETE c", new Dictionary<string, object?> { ["prefix"] = Prefix }),
            ], CancellationToken.None);
        }
        finally
        {
            _dir.Dispose();
        }
    }
}
