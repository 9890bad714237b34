using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>One chat message (<c>role</c> is "system", "user" or "assistant").</summary>
public sealed record ChatMessage(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string Content)
{
    public static ChatMessage System(string content) => new("system", content);

    public static ChatMessage User(string content) => new("user", content);

    public static ChatMessage Assistant(string content) => new("assistant", content);
}
