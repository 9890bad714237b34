using System.Text.Json.Serialization;
using EhrR1.Graph.Reasoning.Endpoints;

namespace EhrR1.Graph.Reasoning.Corpus;

/// <summary>An EHR-Ins chat record: <c>{"sample_id", "messages": [{"role","content"}, ...]}</c> (TRL/datasets "messages" format).</summary>
public sealed record ChatRecord(
    [property: JsonPropertyName("sample_id")] string SampleId,
    [property: JsonPropertyName("messages")] IReadOnlyList<ChatMessage> Messages);
