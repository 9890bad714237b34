using EhrR1.Graph.Core.Formats;

namespace EhrR1.Graph.Evidence.Neo4j;

/// <summary>Writes the thinking graphs of an evidence file into Neo4j in batches (one transaction per batch).
/// Idempotent: re-writing a sample replaces its paths, so a failed run is simply run again.</summary>
internal sealed class ThinkingGraphWriter(CypherHttpClient client, int batchSize = 500)
{
    public async Task<long> WriteAsync(string evidencePath, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        await client.ApplySchemaAsync(cancellationToken);

        long written = 0;
        var batch = new List<EvidenceRecord>(batchSize);
        await foreach (var line in EvidenceFile.ReadAsync(evidencePath, cancellationToken))
        {
            batch.Add(line.Value);
            if (batch.Count == batchSize)
            {
                await client.RunAsync(ThinkingGraphCypher.WriteBatch(batch), cancellationToken);
                written += batch.Count;
                batch.Clear();
                progress?.Report(written);
            }
        }

        if (batch.Count > 0)
        {
            await client.RunAsync(ThinkingGraphCypher.WriteBatch(batch), cancellationToken);
            written += batch.Count;
        }

        return written;
    }
}
