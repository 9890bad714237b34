using EhrR1.Graph.Core.Pipeline;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>The settings of <c>ehr-graph evidence report</c>.</summary>
public sealed record EvidenceReportSettings : IStageSettings
{
    /// <summary>The evidence JSONL written by <c>evidence search</c>.</summary>
    public required string EvidencePath { get; init; }

    /// <summary>The output folder: attrition.md|csv|png|svg, quality.md|csv, thinking-graphs/ and report.manifest.json.</summary>
    public required string OutputDirectory { get; init; }

    /// <inheritdoc />
    public string StageName => "evidence report";

    /// <inheritdoc />
    public IReadOnlyList<StageInput> Inputs => [new("--evidence", EvidencePath, "Run `ehr-graph evidence search` first and pass its --out file")];

    /// <inheritdoc />
    public IReadOnlyList<string> Outputs => [OutputDirectory];

    /// <summary>
    /// <c>report.manifest.json</c> in the output folder: the report usually shares its folder with the evidence files,
    /// so it does not claim the folder's <c>manifest.json</c>.
    /// </summary>
    public string ManifestPath => Path.Combine(OutputDirectory, "report.manifest.json");

    /// <inheritdoc />
    public ExistingOutputs OnExistingOutputs => ExistingOutputs.Replace;

    /// <inheritdoc />
    public IReadOnlyList<string> Validate() => [];

    /// <inheritdoc />
    public IReadOnlyDictionary<string, string?> Describe() => new Dictionary<string, string?>(StringComparer.Ordinal)
    {
        ["evidence"] = EvidencePath,
        ["out"] = OutputDirectory,
    };
}
