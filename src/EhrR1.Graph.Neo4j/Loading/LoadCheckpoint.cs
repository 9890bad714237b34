using System.Text.Json;
using System.Text.Json.Serialization;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Neo4j.Loading;

/// <summary>
/// Progress of a load, saved atomically after every committed batch: which graph, which server, the batch size and
/// how many batches of each phase are committed. A later run with the same graph, server and batch size resumes
/// after the last committed batch; a batch that was committed but not yet recorded is simply merged again.
/// </summary>
public sealed record LoadCheckpoint
{
    [JsonPropertyName("fingerprint")]
    public required string Fingerprint { get; init; }

    [JsonPropertyName("server")]
    public required string Server { get; init; }

    [JsonPropertyName("database")]
    public string? Database { get; init; }

    [JsonPropertyName("batch_size")]
    public required int BatchSize { get; init; }

    [JsonPropertyName("batches_done")]
    public Dictionary<string, long> BatchesDone { get; init; } = new(StringComparer.Ordinal);

    [JsonPropertyName("complete")]
    public bool Complete { get; init; }

    /// <summary>True when this checkpoint belongs to the same load.</summary>
    public bool Matches(string fingerprint, string server, string? database, int batchSize) =>
        string.Equals(Fingerprint, fingerprint, StringComparison.Ordinal)
        && string.Equals(Server, server, StringComparison.Ordinal)
        && string.Equals(Database, database, StringComparison.Ordinal)
        && BatchSize == batchSize;

    public static LoadCheckpoint? TryLoad(string path)
    {
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<LoadCheckpoint>(File.ReadAllText(path));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonDefaults.Indented) + "\n");
}
