namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>The outcome of an ingestion.</summary>
/// <param name="StorePath">The store folder.</param>
/// <param name="UpToDate">True when the store already matched the inputs and nothing was rebuilt.</param>
/// <param name="ElapsedSeconds">Wall time.</param>
/// <param name="Counts">patients, rows, events, rows.TABLE, events.TABLE, store_bytes.</param>
public sealed record IngestResult(string StorePath, bool UpToDate, double ElapsedSeconds, IReadOnlyDictionary<string, long> Counts)
{
    /// <summary>Wall seconds per phase of a rebuild (<c>spill</c>, <c>merge</c>, <c>merge_wait</c>: merge time spent waiting for compression) and process CPU seconds per phase (<c>spill_cpu</c>, <c>merge_cpu</c>); empty when up to date.</summary>
    public IReadOnlyDictionary<string, double> PhaseSeconds { get; init; } = new Dictionary<string, double>(StringComparer.Ordinal);
}
