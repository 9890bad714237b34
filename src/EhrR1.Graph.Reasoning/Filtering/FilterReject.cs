using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Filtering;

/// <summary>One rejected chain (no text): sample, chain position, reasons and label coverage.</summary>
public sealed record FilterReject(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("chain_index")] int ChainIndex,
    [property: JsonPropertyName("reasons")] IReadOnlyList<string> Reasons,
    [property: JsonPropertyName("coverage")] double Coverage);
