using System.Diagnostics;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Neo4j.Http;
using EhrR1.Graph.Neo4j.Schema;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Neo4j.Loading;

/// <summary>
/// Loads a graph into Neo4j over HTTP: schema DDL for the server's generation, then concepts, terms,
/// <c>CO_OCCURS</c> and <c>UMLS_REL</c> in <c>UNWIND $rows ... MERGE</c> batches, one transaction per batch,
/// with a checkpoint after each. Idempotent (MERGE) and resumable (the checkpoint).
/// </summary>
public sealed class Neo4jGraphLoader(Neo4jHttpClient client, ILogger logger)
{
    /// <summary>Phase names, in load order (also the checkpoint keys and report counters).</summary>
    public static readonly IReadOnlyList<string> Phases = ["concepts", "terms", "co_occurs", "umls_rel"];

    /// <summary>Default number of batches in flight at once (see <see cref="Parallelism"/>).</summary>
    public const int DefaultParallelism = 1;

    /// <summary>
    /// Concept batches sent at once, each in its own request and transaction (default <see cref="DefaultParallelism"/>).
    /// Terms and relationships always go one batch at a time (parallel batches deadlock on shared concept nodes).
    /// </summary>
    public int Parallelism
    {
        get => _parallelism;
        init => _parallelism = value >= 1 ? value : throw new Core.Errors.StageConfigurationException($"--concurrency must be at least 1; got {value}.");
    }

    private readonly int _parallelism = DefaultParallelism;

    /// <summary>Loads <paramref name="source"/>; returns rows sent per phase and timing.</summary>
    public async Task<StageReport> LoadAsync(GraphLoadSource source, string checkpointPath, int batchSize, bool restart, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (batchSize < 1)
        {
            throw new Core.Errors.StageConfigurationException($"--batch-size must be at least 1; got {batchSize}.");
        }

        var sw = Stopwatch.StartNew();
        var server = await client.ConnectAsync(cancellationToken);
        var serverKey = client.Settings.ServerUri.GetLeftPart(UriPartial.Authority);
        var previous = restart ? null : LoadCheckpoint.TryLoad(checkpointPath);
        var done = new Dictionary<string, long>(StringComparer.Ordinal);
        if (previous is not null && !previous.Complete && previous.Matches(source.Fingerprint, serverKey, client.Settings.Database, batchSize))
        {
            foreach (var (k, v) in previous.BatchesDone)
            {
                done[k] = v;
            }

            logger.LogInformation("Resuming the load from {Checkpoint}: {Done}", checkpointPath, string.Join(", ", done.Select(kv => kv.Key + " " + kv.Value + " batches")));
        }
        else if (previous is not null && !previous.Complete)
        {
            logger.LogInformation("The checkpoint {Checkpoint} belongs to another graph, server or batch size: loading from the start", checkpointPath);
        }

        var ddl = await SchemaScripts.ApplyAsync(client, cancellationToken);
        logger.LogInformation("Applied {Count} schema statements ({File})", ddl, SchemaScripts.FileFor(server.Major));

        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { ["schema_statements"] = ddl };
        var total = source.ConceptCount + source.TermCount + source.CoOccurrenceCount + source.UmlsRelationCount;
        long sent = 0;
        long skippedRows = 0;

        var sync = new object();

        // Concept batches go out on up to Parallelism requests at once: they are disjoint (each CUI in one batch) and
        // lock only their own nodes, so the order in which they commit does not matter. Terms and relationships lock
        // the concepts they attach to, which batches share: in parallel they deadlock (Neo.TransientError.Transaction.
        // DeadlockDetected) faster than retries clear it, so they go one batch at a time. The checkpoint records the
        // longest run of committed batches from the start; a batch committed after a gap is merged again on resume.
        async Task RunPhase<T>(string phase, IEnumerable<T> items, Func<T, Dictionary<string, object?>> map, string cypher, int inFlight)
        {
            done.TryGetValue(phase, out var skip);
            var committed = new SortedSet<long>();
            var prefix = skip;
            long index = 0;
            long rows = 0;
            var running = new List<Task>();
            using var gate = new SemaphoreSlim(inFlight, inFlight);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

            async Task Send(long number, List<Dictionary<string, object?>> batch)
            {
                try
                {
                    await client.ExecuteAsync(GraphCypher.Batch(cypher, batch), stop.Token);
                    lock (sync)
                    {
                        committed.Add(number);
                        while (committed.Remove(prefix))
                        {
                            prefix++;
                        }

                        rows += batch.Count;
                        sent += batch.Count;
                        done[phase] = prefix;
                        Save(source, checkpointPath, serverKey, batchSize, done, complete: false);
                        progress?.Report(new StageProgress("load " + phase, sent, total, "rows"));
                    }
                }
                catch
                {
                    await stop.CancelAsync();
                    throw;
                }
                finally
                {
                    gate.Release();
                }
            }

            try
            {
                foreach (var batch in GraphCypher.Batches(items, map, batchSize))
                {
                    if (index < skip)
                    {
                        index++;
                        skippedRows += batch.Count;
                        sent += batch.Count;
                        continue;
                    }

                    await gate.WaitAsync(stop.Token);
                    running.Add(Send(index, batch));
                    running.RemoveAll(t => t.IsCompletedSuccessfully);
                    index++;
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // a batch failed: its exception is thrown below
            }

            await Task.WhenAll(running);
            cancellationToken.ThrowIfCancellationRequested();
            done[phase] = index;
            counts[phase] = rows;
        }

        await RunPhase(Phases[0], source.Concepts(), GraphCypher.Row, GraphCypher.MergeConcepts, Parallelism);
        await RunPhase(Phases[1], source.Terms(), GraphCypher.Row, GraphCypher.MergeTerms, 1);
        await RunPhase(Phases[2], source.CoOccurrences(), GraphCypher.Row, GraphCypher.MergeCoOccurrences, 1);
        await RunPhase(Phases[3], source.UmlsRelations(), GraphCypher.Row, GraphCypher.MergeUmlsRelations, 1);
        Save(source, checkpointPath, serverKey, batchSize, done, complete: true);

        counts["rows_skipped_resumed"] = skippedRows;
        counts["server_major_version"] = server.Major;
        var elapsed = sw.Elapsed.TotalSeconds;
        logger.LogInformation(
            "Loaded {Concepts} concepts, {Terms} terms, {Co} CO_OCCURS, {Umls} UMLS_REL into Neo4j {Version} in {Seconds:F1} s",
            counts["concepts"], counts["terms"], counts["co_occurs"], counts["umls_rel"], server.Version, elapsed);
        return new StageReport("graph load", elapsed, counts, [checkpointPath]);
    }

    private void Save(GraphLoadSource source, string path, string server, int batchSize, Dictionary<string, long> done, bool complete) =>
        new LoadCheckpoint
        {
            Fingerprint = source.Fingerprint,
            Server = server,
            Database = client.Settings.Database,
            BatchSize = batchSize,
            BatchesDone = new Dictionary<string, long>(done, StringComparer.Ordinal),
            Complete = complete,
        }.Save(path);
}
