using System.Text.Json.Serialization;

namespace EhrR1.Graph.Training.Tokenization;

/// <summary>One chat turn (<c>{"role", "content"}</c>), as in EHR-Ins records.</summary>
public sealed record ChatMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content);
