using System.Text.Json;
using System.Text.Json.Serialization;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Tasks.Indexing;

namespace EhrR1.Graph.Tasks.Serialization;

[JsonSerializable(typeof(TaskIndexRow))]
[JsonSerializable(typeof(LabelCounts))]
[JsonSerializable(typeof(Dictionary<string, long>))]
internal sealed partial class TasksJsonContext : JsonSerializerContext;

/// <summary>The serializer setup of every tasks artefact: compact, non-ASCII kept, source-generated.</summary>
internal static class TasksJson
{
    public static TasksJsonContext Context { get; } = new(new JsonSerializerOptions(JsonDefaults.Jsonl));

    public static TasksJsonContext Indented { get; } = new(new JsonSerializerOptions(JsonDefaults.Indented));
}
