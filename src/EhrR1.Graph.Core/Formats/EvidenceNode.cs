using System.Text.Json.Serialization;

namespace EhrR1.Graph.Core.Formats;

/// <summary>A concept of an <see cref="EvidencePath"/>; <see cref="Kind"/> is its display kind (Drug, Disorder, LabTest,
/// Procedure, DrugClass, Category; <see cref="Concepts.ConceptKinds"/>) where known.</summary>
public sealed record EvidenceNode(
    [property: JsonPropertyName("cui")] string Cui,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string? Kind = null);
