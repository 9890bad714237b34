using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>USD per one million tokens; <see cref="BatchFactor"/> is the fraction of the price paid in Batch mode.</summary>
public sealed record ModelPrice(
    [property: JsonPropertyName("input_per_million")] decimal InputPerMillion,
    [property: JsonPropertyName("output_per_million")] decimal OutputPerMillion,
    [property: JsonPropertyName("batch_factor")] decimal BatchFactor = 0.5m);
