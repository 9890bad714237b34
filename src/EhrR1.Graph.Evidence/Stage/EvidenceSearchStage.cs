using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using Microsoft.Extensions.Logging;
using EhrR1.Graph.Knowledge.Extraction;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>What one run of <see cref="EvidenceSearchStage"/> did.</summary>
internal sealed record EvidenceRunSummary(long Read, long Written, long SkippedOtherShard, long SkippedDone, long SkippedNotDecision, IReadOnlyDictionary<string, long> ByStatus, long CacheHits, long CacheMisses, double ElapsedSeconds);

/// <summary>
/// Streams samples, builds each one's thinking graph in parallel (bounded degree), and appends the records in input
/// order to <c>OUT.partial</c>, which is renamed to <c>OUT</c> once complete. Deterministic for any thread count.
/// </summary>
internal sealed partial class EvidenceSearchStage(SampleEvidenceBuilder builder, ILogger logger)
{
    public async Task<EvidenceRunSummary> RunAsync(IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        var settings = builder.Settings;
        if (settings.ShardCount < 1 || settings.ShardIndex < 0 || settings.ShardIndex >= settings.ShardCount)
        {
            throw new StageConfigurationException("--shard must be i/n with 0 <= i < n.");
        }

        JsonlKind.SampleConcepts.Require(settings.SamplesPath);
        var stopwatch = Stopwatch.StartNew();
        var output = Path.GetFullPath(settings.OutputPath);
        var partial = ResumableJsonlOutput.PartialPathFor(output);
        Directory.CreateDirectory(Path.GetDirectoryName(output)!);
        if (File.Exists(partial) && !settings.Resume)
        {
            throw new StageConfigurationException($"A partial output from an interrupted run exists ({Path.GetFileName(partial)}). Pass --resume to continue it, or delete it to start over.");
        }

        // The settings that shape the records: a resumed run must match the run that wrote the partial output.
        var recordSettings = new Dictionary<string, string?>(DescribeSettings(settings), StringComparer.Ordinal);
        foreach (var (key, value) in settings.LoadSettings)
        {
            recordSettings[key] = value;
        }

        ResumeSettings.CheckOrRecord(
            output,
            continuing: settings.Resume && (File.Exists(partial) || File.Exists(output)),
            recordSettings,
            "pass another --out (or delete " + Path.GetFileName(partial) + ") to start afresh");

        if (settings.Resume && !File.Exists(partial) && File.Exists(output))
        {
            // The previous run completed: continue from the finished file (it may be extended, e.g. new samples).
            File.Move(output, partial);
        }

        HashSet<string> done = [];
        if (settings.Resume)
        {
            done = ResumableJsonlOutput.Recover(partial, out var torn);
            LogResume(logger, done.Count, torn);
        }

        var byStatus = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        long read = 0, written = 0, otherShard = 0, skippedDone = 0, notDecision = 0;
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var workers = new ConcurrentBag<SampleEvidenceBuilder.Worker>();
        var batch = new List<(string Id, string Task, IReadOnlyList<string> Targets, IReadOnlyCollection<string> History, IReadOnlyDictionary<string, string>? Cuis, IReadOnlyDictionary<string, IReadOnlyList<string>>? Flags)>(settings.BatchSize);
        var results = new EvidenceRecord[settings.BatchSize];
        try
        {
            await using (var stream = new FileStream(partial, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16))
            using (var writer = new EvidenceWriter(stream, leaveOpen: true))
            {
                void Flush()
                {
                    if (batch.Count == 0)
                    {
                        return;
                    }

                    var options = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, settings.DegreeOfParallelism), CancellationToken = cancellationToken };
                    Parallel.For(
                        0,
                        batch.Count,
                        options,
                        () => workers.TryTake(out var w) ? w : builder.CreateWorker(),
                        (i, _, worker) =>
                        {
                            var s = batch[i];
                            results[i] = worker.Build(s.Id, s.Task, s.Targets, s.History, s.Cuis, s.Flags);
                            return worker;
                        },
                        workers.Add);
                    for (var i = 0; i < batch.Count; i++)
                    {
                        writer.Write(results[i]);
                        byStatus.AddOrUpdate(results[i].Status, 1, (_, v) => v + 1);
                        results[i] = null!;
                    }

                    writer.Flush(durable: false);
                    written += batch.Count;
                    batch.Clear();
                    progress?.Report(new StageProgress("evidence", written, null, "samples"));
                }

                await foreach (var line in JsonlReader.ReadAsync<SampleConcepts>(settings.SamplesPath, EvidenceInputs.ReadOptions, cancellationToken))
                {
                    var s = line.Value;
                    read++;
                    if (string.IsNullOrEmpty(s.SampleId))
                    {
                        throw new InputDataException("EHR-EV-003", settings.SamplesPath, line.LineNumber, "sample_id", "the sample has no sample_id", expected: "a string such as \"labevents:10000032:12\"");
                    }

                    if (string.IsNullOrEmpty(s.Task))
                    {
                        throw new InputDataException("EHR-EV-004", settings.SamplesPath, line.LineNumber, "task", "the sample has no task", expected: "a decision-making task name");
                    }

                    if (!seen.Add(s.SampleId))
                    {
                        throw new InputDataException("EHR-EV-005", settings.SamplesPath, line.LineNumber, "sample_id", "a sample id occurs twice", expected: "unique sample ids", found: "a repeat of an earlier line's id", fix: "De-duplicate the samples file");
                    }

                    if (s.TaskType is not null && !string.Equals(s.TaskType, "decision_making", StringComparison.Ordinal))
                    {
                        notDecision++;
                        continue;
                    }

                    if (settings.ShardCount > 1 && Sharding.ShardOf(s.SampleId, settings.ShardCount) != settings.ShardIndex)
                    {
                        otherShard++;
                        continue;
                    }

                    if (done.Contains(s.SampleId))
                    {
                        skippedDone++;
                        continue;
                    }

                    IReadOnlyCollection<string> history = settings.History == HistoryMode.Upstream && s.HiddenHistory is { Count: > 0 }
                        ? new HashSet<string>((s.History ?? []).Concat(s.HiddenHistory), StringComparer.Ordinal)
                        : new HashSet<string>(s.History ?? [], StringComparer.Ordinal);
                    var flags = s.HistoryFlags;
                    if (settings.History == HistoryMode.Upstream && s.HiddenHistoryFlags is { Count: > 0 })
                    {
                        var merged = new LabFlagMap();
                        merged.AddAll(s.HistoryFlags);
                        merged.AddAll(s.HiddenHistoryFlags);
                        flags = merged.ToRecord();
                    }

                    batch.Add((s.SampleId, s.Task, s.Targets ?? [], history, s.Cuis, flags));
                    if (batch.Count == settings.BatchSize)
                    {
                        Flush();
                    }
                }

                Flush();
                writer.Flush(durable: true);
            }
        }
        catch (Exception)
        {
            // Failed before writing a single record (bad input, usually): an empty OUT.partial holds nothing to resume
            // and would only make the plain rerun refuse to start.
            if (IsEmpty(partial))
            {
                File.Delete(partial);
            }

            throw;
        }

        File.Move(partial, output, overwrite: true);
        stopwatch.Stop();
        var summary = new EvidenceRunSummary(read, written, otherShard, skippedDone, notDecision, byStatus.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), builder.CacheHits, builder.CacheMisses, stopwatch.Elapsed.TotalSeconds);
        LogDone(logger, written, read, stopwatch.Elapsed.TotalSeconds, builder.CacheHits, builder.CacheMisses);
        return summary;
    }

    /// <summary>The manifest settings (no secrets).</summary>
    public static Dictionary<string, string?> DescribeSettings(EvidenceSettings s) => new(StringComparer.Ordinal)
    {
        ["search"] = s.Mode.ToString().ToLowerInvariant(),
        ["knowledge_max_hops"] = s.Knowledge.MaxHops.ToString(CultureInfo.InvariantCulture),
        ["hub_cap"] = s.Knowledge.HubDegreeCap.ToString(CultureInfo.InvariantCulture),
        ["paths_per_target"] = s.Knowledge.PathsPerTarget.ToString(CultureInfo.InvariantCulture),
        ["cooccurrence_fallback"] = s.CooccurrenceFallback ? "on" : "off",
        ["threshold"] = s.LiftThreshold.ToString(CultureInfo.InvariantCulture),
        ["min_support"] = s.MinSupport.ToString(CultureInfo.InvariantCulture),
        ["topk"] = s.TopK.ToString(CultureInfo.InvariantCulture),
        ["history"] = s.History.ToString().ToLowerInvariant(),
        ["path_format"] = s.Format.ToString().ToLowerInvariant(),
        ["max_explored_nodes"] = s.Search.MaxExploredNodes.ToString(CultureInfo.InvariantCulture),
        ["max_paths"] = s.Search.MaxPaths.ToString(CultureInfo.InvariantCulture),
        ["max_hops_per_side"] = s.Search.MaxHopsPerSide.ToString(CultureInfo.InvariantCulture),
        ["sibling_rule"] = s.Search.RejectSiblingHops ? "on" : "off",
        ["pair_edge"] = s.Search.KeepPairCooccurrence ? "kept" : "skipped",
        ["paths_per_pair"] = s.PathsPerPair.ToString(CultureInfo.InvariantCulture),
        ["shard"] = s.ShardIndex.ToString(CultureInfo.InvariantCulture) + "/" + s.ShardCount.ToString(CultureInfo.InvariantCulture),
    };

    private static bool IsEmpty(string path) => new FileInfo(path) is { Exists: true, Length: 0 };

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming: {Done} samples already written, {Torn} bytes of a torn last line removed")]
    private static partial void LogResume(ILogger logger, int done, long torn);

    [LoggerMessage(Level = LogLevel.Information, Message = "Evidence: {Written} of {Read} samples written in {Seconds:F1} s (pair cache {Hits} hits, {Misses} misses)")]
    private static partial void LogDone(ILogger logger, long written, long read, double seconds, long hits, long misses);
}
