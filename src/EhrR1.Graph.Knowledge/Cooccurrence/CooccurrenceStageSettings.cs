using System.Globalization;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Knowledge.Extraction;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>The settings of <c>ehr-graph graph cooccur</c>: where it reads and writes, and how it counts.</summary>
public sealed record CooccurrenceStageSettings : IStageSettings
{
    /// <summary>The task index folder of <c>tasks index</c> (one <c>{task}.jsonl</c> per task).</summary>
    public required string TasksDirectory { get; init; }

    /// <summary>The output folder of <c>concepts extract</c> (events.jsonl).</summary>
    public required string ConceptsDirectory { get; init; }

    /// <summary>The output folder (pairs.jsonl, document_frequency.jsonl, tasks.jsonl, statistics.md, manifest.json).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>File of training subject ids; null counts every subject in the index.</summary>
    public string? TrainSubjectsPath { get; init; }

    /// <summary>Replace an existing output folder.</summary>
    public bool Force { get; init; }

    /// <summary>How pairs are counted and kept.</summary>
    public CooccurrenceSettings Counting { get; init; } = new();

    /// <inheritdoc />
    public string StageName => "graph cooccur";

    /// <inheritdoc />
    public IReadOnlyList<StageInput> Inputs =>
    [
        new("--tasks", TasksDirectory, "Run `ehr-graph tasks index` first and pass its --out folder"),
        new("--concepts", Path.Combine(ConceptsDirectory, ConceptFiles.EventsFile), "Run `ehr-graph concepts extract` first and pass its --out folder"),
        .. TrainSubjectsPath is null ? Array.Empty<StageInput>() : [new("--train-subjects", TrainSubjectsPath, "Pass a file with one subject id per line")],
    ];

    /// <inheritdoc />
    public IReadOnlyList<string> Outputs => [OutputDirectory];

    /// <inheritdoc />
    public string ManifestPath => StageManifest.ForFolder(OutputDirectory);

    /// <inheritdoc />
    public ExistingOutputs OnExistingOutputs => Force ? ExistingOutputs.Replace : ExistingOutputs.Refuse;

    /// <inheritdoc />
    public IReadOnlyList<string> Validate() => [.. Counting.Validate()];

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string?> Describe() => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["tasks"] = TasksDirectory,
        ["concepts"] = ConceptsDirectory,
        ["train_subjects"] = TrainSubjectsPath,
        ["min_support"] = Counting.MinSupport.ToString(CultureInfo.InvariantCulture),
        ["threshold"] = Counting.Threshold.ToString(CultureInfo.InvariantCulture),
        ["topk"] = Counting.TopK.ToString(CultureInfo.InvariantCulture),
        ["upstream_self_pairs"] = Counting.UpstreamSelfPairs ? "true" : "false",
        ["upstream_history"] = Counting.UpstreamHistory ? "true" : "false",
        ["upstream_text_group0"] = Counting.UpstreamTextGroup0 ? "true" : "false",
    };
}
