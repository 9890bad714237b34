using EhrR1.Graph.Core.Pipeline;

namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>The settings of <c>ehr-graph concepts samples</c>.</summary>
public sealed record SampleConceptsSettings : IStageSettings
{
    /// <summary>Sampled task instances from <c>tasks sample</c> (JSONL).</summary>
    public required string SamplesPath { get; init; }

    /// <summary>The output folder of <c>concepts extract</c> (events.jsonl).</summary>
    public required string ConceptsDirectory { get; init; }

    /// <summary>The output JSONL (replaced atomically), with <c>OUT.manifest.json</c> beside it.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Also write risk and other scalar-label samples (targets then empty), for the graph baseline.</summary>
    public bool AllTasks { get; init; }

    /// <inheritdoc />
    public string StageName => SampleConceptsStage.StageName;

    /// <inheritdoc />
    public IReadOnlyList<StageInput> Inputs =>
    [
        new("--samples", SamplesPath, "Pass the output of `ehr-graph tasks sample`"),
        new("--concepts", Path.Combine(ConceptsDirectory, ConceptFiles.EventsFile), "Run `ehr-graph concepts extract` first and pass its --out folder"),
    ];

    /// <inheritdoc />
    public IReadOnlyList<string> Outputs => [OutputPath];

    /// <inheritdoc />
    public string ManifestPath => StageManifest.ForFile(OutputPath);

    /// <inheritdoc />
    public ExistingOutputs OnExistingOutputs => ExistingOutputs.Replace;

    /// <inheritdoc />
    public IReadOnlyList<string> Validate() => [];

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string?> Describe() => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["samples"] = SamplesPath,
        ["concepts"] = ConceptsDirectory,
        ["all_tasks"] = AllTasks ? "true" : "false",
    };
}
