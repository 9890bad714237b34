using System.Text.Json.Serialization;

namespace EhrR1.Graph.Core.Formats;

/// <summary>Per-sample counts at each attrition point of an <see cref="EvidenceRecord"/> (upstream-pipeline §6, points 1–5).</summary>
public sealed record EvidenceCounts(
    [property: JsonPropertyName("targets")] int Targets,
    [property: JsonPropertyName("targets_no_cooccurrence")] int TargetsNoCooccurrence,
    [property: JsonPropertyName("pairs")] int Pairs,
    [property: JsonPropertyName("pairs_no_cui")] int PairsNoCui,
    [property: JsonPropertyName("pairs_no_path")] int PairsNoPath,
    [property: JsonPropertyName("pairs_endpoint_filtered")] int PairsEndpointFiltered,
    [property: JsonPropertyName("paths")] int Paths);
