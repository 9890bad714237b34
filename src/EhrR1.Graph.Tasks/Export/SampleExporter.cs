using System.Buffers;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.ExceptionServices;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Sampling;
using EhrR1.Graph.Tasks.Serialization;
using EhrR1.Graph.Trajectories.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Tasks.Export;

/// <summary>
/// <c>ehr-graph tasks export</c>: renders sampled index rows into EHR-Bench records or EHR-Ins chat records
/// (docs/tasks.md, "Export formats"). Streams the samples; keeps the last few patients and their rendered events.
/// </summary>
public sealed class SampleExporter(ILogger<SampleExporter>? logger = null)
{
    public const string StageName = "tasks export";
    public const string SystemPrompt = "You are a helpful assistant.";
    public const string NoThinkSuffix = "/no_think";
    public const string EmptyThink = "<think>\n\n</think>\n\n";

    private const int PatientCacheSize = 8;
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    /// <summary>Where the last <see cref="RunAsync"/> spent its time (for the benchmark's breakdown).</summary>
    public ExportTimings Timings { get; private set; } = new();

    public async Task<StageReport> RunAsync(ITrajectoryStore store, Func<EhrEvent, string> renderer, ExportSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(renderer);
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        JsonlKind.TaskSamples.Require(settings.SamplesFile);
        var clock = Stopwatch.StartNew();
        var candidates = new CandidateBuilder(LoadLabelCounts(settings), settings.Seed, settings.MaxCandidates);
        var patients = new HashSet<long>();
        var timings = new ExportTimings();
        Timings = timings;
        // The workers' temporary record files sit beside the output, so its folder must exist before they open.
        var outputDirectory = Path.GetDirectoryName(Path.GetFullPath(settings.OutputFile))!;
        Directory.CreateDirectory(outputDirectory);
        var name = Path.GetFileName(settings.OutputFile);
        // A run that was killed leaves its temporary files behind (their names hold its process id): remove them.
        foreach (var stale in AtomicFile.RemoveStale(outputDirectory, "." + name + ".").Concat(AtomicFile.RemoveStale(outputDirectory, name + ".tmp-")))
        {
            LogMessages.StaleTempRemoved(_logger, stale);
        }

        var spillPrefix = Path.Combine(outputDirectory, "." + name + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        var spills = 0;
        var window = IndexWindow(settings);
        ChunkWorker NewWorker() => new(store, new SampleInputBuilder(renderer, settings.KeepEmptyParts), candidates, settings, window, spillPrefix + ".w" + Interlocked.Increment(ref spills).ToString(CultureInfo.InvariantCulture) + ".tmp");
        var workers = new ConcurrentBag<ChunkWorker>();
        long count = 0;
        try
        {
            // Inside the try: when the third worker's file cannot be made, the first two are removed by the finally.
            for (var i = 0; i < settings.Workers; i++)
            {
                workers.Add(NewWorker());
            }

            await AtomicFile.WriteAsync(settings.OutputFile, async (stream, ct) =>
            {
                // Samples come grouped by task, so one patient recurs across the file. They are processed in chunks:
                // each chunk is grouped by subject (every patient is read and rendered once per chunk, by one worker;
                // the workers take patients in parallel, each appending its records to its own temporary file), and the
                // records are copied back to the output in file order. Memory holds the chunk's rows, not its records.
                var chunk = new List<(long Line, TaskIndexRow Row)>(settings.ChunkSize);
                async Task FlushChunkAsync()
                {
                    var groups = Enumerable.Range(0, chunk.Count).GroupBy(i => chunk[i].Row.SubjectId).OrderBy(g => g.Key).Select(g => g.ToArray()).ToArray();
                    var records = new RecordSlot[chunk.Count];
                    var failures = new Exception?[groups.Length];
                    var firstIdx = count;
                    Parallel.For(
                        0,
                        groups.Length,
                        new ParallelOptions { MaxDegreeOfParallelism = settings.Workers, CancellationToken = ct },
                        () => workers.TryTake(out var w) ? w : NewWorker(),
                        (g, _, worker) =>
                        {
                            try
                            {
                                worker.Run(chunk, groups[g], records, firstIdx);
                            }
                            catch (Exception ex) when (ex is not OperationCanceledException)
                            {
                                failures[g] = ex;
                            }

                            return worker;
                        },
                        workers.Add);

                    // The error a sequential run would stop at: the first failing patient in subject order.
                    if (failures.FirstOrDefault(f => f is not null) is { } failure)
                    {
                        ExceptionDispatchInfo.Capture(failure).Throw();
                    }

                    foreach (var g in groups)
                    {
                        patients.Add(chunk[g[0]].Row.SubjectId);
                    }

                    var w0 = Stopwatch.GetTimestamp();
                    foreach (var w in workers)
                    {
                        w.EndChunk();
                    }

                    var copy = ArrayPool<byte>.Shared.Rent(1 << 16);
                    try
                    {
                        foreach (var r in records)
                        {
                            if (copy.Length < r.Length + 1)
                            {
                                ArrayPool<byte>.Shared.Return(copy);
                                copy = ArrayPool<byte>.Shared.Rent(r.Length + 1);
                            }

                            r.Worker.ReadRecord(r.Offset, copy.AsSpan(0, r.Length));
                            copy[r.Length] = (byte)'\n';
                            await stream.WriteAsync(copy.AsMemory(0, r.Length + 1), ct);
                        }
                    }
                    finally
                    {
                        ArrayPool<byte>.Shared.Return(copy);
                    }

                    foreach (var w in workers)
                    {
                        w.ResetSpill();
                    }

                    timings.Write += Stopwatch.GetTimestamp() - w0;
                    count += chunk.Count;
                    chunk.Clear();
                    progress?.Report(new StageProgress("samples", count, null, "samples"));
                }

                await foreach (var line in JsonlReader.ReadAsync<TaskIndexRow>(settings.SamplesFile, TasksJson.Context.Options, ct).WithCancellation(ct))
                {
                    chunk.Add((line.LineNumber, line.Value));
                    if (chunk.Count >= settings.ChunkSize)
                    {
                        await FlushChunkAsync();
                    }
                }

                await FlushChunkAsync();
            }, cancellationToken);
        }
        finally
        {
            foreach (var w in workers)
            {
                timings.Add(w.Timings);
                w.Dispose();
            }
        }

        progress?.Report(new StageProgress("samples", count, count, "samples"));
        var counts = new Dictionary<string, long>(StringComparer.Ordinal) { ["samples"] = count, ["patients"] = patients.Count };
        new RunManifest
        {
            Stage = StageName,
            Settings = new Dictionary<string, string?>
            {
                ["samples"] = settings.SamplesFile,
                ["store"] = settings.StorePath,
                ["index"] = settings.IndexDirectory ?? IndexFromManifest(settings.SamplesFile),
                ["format"] = settings.Format == ExportFormat.EhrBench ? "ehr-bench" : "ehr-ins",
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["max_candidates"] = settings.MaxCandidates.ToString(CultureInfo.InvariantCulture),
                ["keep_empty_parts"] = settings.KeepEmptyParts ? "true" : "false",
                ["upstream_values"] = settings.UpstreamValues ? "true" : "false",
                ["instructions"] = settings.Instructions == InstructionStyle.Upstream ? "upstream" : "corrected",
            },
            Inputs = [FileFingerprint.Of(settings.SamplesFile)],
            Counts = counts,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(settings.OutputFile + ".manifest.json");
        LogMessages.ExportFinished(_logger, count, patients.Count, settings.Format, clock.ElapsedMilliseconds);
        return new StageReport(StageName, clock.Elapsed.TotalSeconds, counts, [Path.GetFullPath(settings.OutputFile)]);
    }

    /// <summary>
    /// One export worker: its own renderer cache, JSON writer, timings and last few patients (a patient often recurs
    /// in the next chunk). Renders the records of one patient's samples of a chunk into their slots.
    /// </summary>
    private sealed class ChunkWorker(ITrajectoryStore store, SampleInputBuilder inputs, CandidateBuilder candidates, ExportSettings settings, TimeSpan? window, string spillPath) : IDisposable
    {
        private readonly FileStream _spill = new(spillPath, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
        private readonly List<PatientTrajectory> _cache = new(PatientCacheSize);
        private readonly ArrayBufferWriter<byte> _buffer = new(1 << 16);
        private Utf8JsonWriter? _json;

        public ExportTimings Timings { get; } = new();

        public void Run(List<(long Line, TaskIndexRow Row)> chunk, int[] group, RecordSlot[] records, long firstIdx)
        {
            var json = _json ??= new Utf8JsonWriter(_buffer, new JsonWriterOptions { Encoder = JsonDefaults.Jsonl.Encoder });
            var first = chunk[group[0]];
            var t0 = Stopwatch.GetTimestamp();
            var trajectory = Patient(first.Row.SubjectId, settings.SamplesFile, first.Line);
            Timings.Read += Stopwatch.GetTimestamp() - t0;
            foreach (var i in group)
            {
                var (line, row) = chunk[i];
                var task = TaskCatalog.Find(row.Task)
                    ?? throw new InputDataException("EHR-TSK-020", settings.SamplesFile, line, "task", "unknown task", expected: "one of the 46 EHR-Bench task names", found: "\"" + row.Task + "\"");
                t0 = Stopwatch.GetTimestamp();
                Check(row, trajectory, settings.SamplesFile, line);
                LeakGuard.Verify(trajectory, task, row.SampleId, row.TargetIndex, row.ContextBegin, row.ContextEnd, window, settings.SamplesFile, line);
                SampleInputBuilder.Touch(trajectory, row);
                var t1 = Stopwatch.GetTimestamp();
                Timings.Read += t1 - t0;
                var input = inputs.Build(trajectory, task, row);
                var output = string.Join('\n', row.Target);
                var t2 = Stopwatch.GetTimestamp();
                Timings.Input += t2 - t1;
                _buffer.ResetWrittenCount();
                json.Reset(_buffer);
                if (settings.Format == ExportFormat.EhrBench)
                {
                    var list = candidates.Build(task, row.SampleId, row.Target);
                    var t3 = Stopwatch.GetTimestamp();
                    Timings.Candidates += t3 - t2;
                    t2 = t3;
                    WriteBench(json, firstIdx + i, row, task, task.InstructionFor(settings.Instructions), task.TargetKeyFor(settings.Instructions), input, output, list);
                }
                else
                {
                    WriteIns(json, row, task.InstructionFor(settings.Instructions), input, output);
                }

                json.Flush();
                records[i] = new RecordSlot(this, _spill.Position, _buffer.WrittenCount);
                _spill.Write(_buffer.WrittenSpan);
                Timings.Json += Stopwatch.GetTimestamp() - t2;
            }
        }

        /// <summary>Makes the chunk's records readable with <see cref="ReadRecord"/>.</summary>
        public void EndChunk() => _spill.Flush();

        public void ReadRecord(long offset, Span<byte> destination)
        {
            if (RandomAccess.Read(_spill.SafeFileHandle, destination, offset) != destination.Length)
            {
                throw new IOException("The export's temporary record file is shorter than written (disk full?).");
            }
        }

        public void ResetSpill()
        {
            _spill.SetLength(0);
            _spill.Position = 0;
        }

        public void Dispose()
        {
            _json?.Dispose();
            _spill.Dispose();
        }

        private PatientTrajectory Patient(long subjectId, string file, long line)
        {
            for (var i = 0; i < _cache.Count; i++)
            {
                if (_cache[i].SubjectId == subjectId)
                {
                    return _cache[i];
                }
            }

            if (!store.TryRead(subjectId, out var trajectory))
            {
                throw new InputDataException("EHR-TSK-021", file, line, "subject_id", "the subject is not in the trajectory store", expected: "a store built from the same data as the index", found: "subject " + subjectId.ToString(CultureInfo.InvariantCulture), fix: "Pass the --store that the index was built from");
            }

            if (_cache.Count == PatientCacheSize)
            {
                _cache.RemoveAt(0);
            }

            _cache.Add(trajectory);
            return trajectory;
        }
    }

    /// <summary>Where a record of the chunk was spilled: the worker's temporary file, offset and length.</summary>
    private readonly record struct RecordSlot(ChunkWorker Worker, long Offset, int Length);

    private static void Check(TaskIndexRow row, PatientTrajectory trajectory, string file, long line)
    {
        var n = trajectory.Events.Count;
        static bool Bad(int? index, int n) => index is { } i && (i < 0 || i >= n);
        if (row.ContextBegin < 0 || row.ContextEnd > n || row.ContextBegin > row.ContextEnd || Bad(row.TargetIndex, n) || Bad(row.AdmissionsId, n) || Bad(row.LastDischargeId, n))
        {
            throw new InputDataException("EHR-TSK-022", file, line, "context_begin", "the sample's indices do not fit the patient's trajectory (sample " + row.SampleId + ")", expected: "indices below the patient's event count " + n.ToString(CultureInfo.InvariantCulture), fix: "Re-run 'ehr-graph tasks index' on the store passed to --store");
        }
    }

    private static void WriteBench(Utf8JsonWriter w, long idx, TaskIndexRow row, TaskDefinition task, string instruction, string? targetKey, string input, string output, IReadOnlyList<string> candidates)
    {
        w.WriteStartObject();
        w.WriteNumber("idx", idx);
        w.WriteString("sample_id", row.SampleId);
        w.WriteString("instruction", instruction);
        w.WriteString("input", input);
        w.WriteString("output", output);
        w.WriteStartArray("candidates");
        foreach (var c in candidates)
        {
            w.WriteStringValue(c);
        }

        w.WriteEndArray();
        w.WriteStartObject("task_info");
        w.WriteString("task", task.Name);
        w.WriteString("event", row.Event);
        w.WriteString("target_key", targetKey);
        w.WriteString("metric", task.Metric);
        w.WriteStartArray("bid_event");
        foreach (var b in task.BidEvents)
        {
            w.WriteStringValue(b);
        }

        w.WriteEndArray();
        w.WriteString("task_type", task.TaskType);
        w.WriteString("instruction", instruction);
        w.WriteString("sample_id", row.SampleId);
        w.WriteNumber("subject_id", row.SubjectId);
        WriteNullable(w, "hadm_id", row.HadmId);
        w.WriteNumber("target_index", row.TargetIndex);
        w.WriteNumber("context_begin", row.ContextBegin);
        w.WriteNumber("context_end", row.ContextEnd);
        w.WriteNumber("period_begin", row.ContextBegin);
        w.WriteNumber("period_end", row.ContextEnd);
        WriteNullable(w, "admissions_id", row.AdmissionsId);
        WriteNullable(w, "last_discharge_id", row.LastDischargeId);
        w.WriteString("target", task.HasScalarLabel && row.Target.Count == 1 ? PythonJson.Dumps(row.Target[0]) : PythonJson.Dumps(row.Target));
        w.WriteNumber("target_weight", row.TargetWeight);
        if (task.HasScalarLabel && row.Target.Count == 1)
        {
            w.WriteString("label", row.Target[0]);
        }
        else
        {
            w.WriteStartArray("label");
            foreach (var l in row.Target)
            {
                w.WriteStringValue(l);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
        w.WriteEndObject();
    }

    private static void WriteIns(Utf8JsonWriter w, TaskIndexRow row, string instruction, string input, string output)
    {
        w.WriteStartObject();
        w.WriteString("sample_id", row.SampleId);
        w.WriteStartArray("messages");
        Message(w, "system", SystemPrompt);
        Message(w, "user", input + "\n" + instruction + NoThinkSuffix);
        Message(w, "assistant", EmptyThink + output);
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static void Message(Utf8JsonWriter w, string role, string content)
    {
        w.WriteStartObject();
        w.WriteString("role", role);
        w.WriteString("content", content);
        w.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter w, string name, long? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string? IndexFromManifest(string samplesFile)
    {
        var manifest = RunManifest.TryLoad(TaskSampler.ManifestPath(samplesFile));
        return manifest?.Settings.GetValueOrDefault("index");
    }

    /// <summary>
    /// The window length the samples' index was built with (the prediction time of admission and ICU tasks depends on
    /// it), or null when the index or its manifest is unknown: the leak guard then skips that one time check.
    /// </summary>
    private static TimeSpan? IndexWindow(ExportSettings settings)
    {
        var index = settings.IndexDirectory ?? IndexFromManifest(settings.SamplesFile);
        var manifest = index is null ? null : RunManifest.TryLoad(Path.Combine(index, TaskIndexLayout.ManifestFile));
        return manifest?.Settings.GetValueOrDefault("window_hours") is { } text
            && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var hours) && hours > 0
            ? TimeSpan.FromHours(hours)
            : null;
    }

    /// <summary>Label counts of the index (for candidates); empty when no index is known and none is needed.</summary>
    private static List<LabelCounts> LoadLabelCounts(ExportSettings settings)
    {
        var index = settings.IndexDirectory ?? IndexFromManifest(settings.SamplesFile);
        if (index is null)
        {
            return [];
        }

        var path = Path.Combine(index, TaskIndexLayout.LabelsFile);
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-TSK-023", path, null, null, "the task index has no label counts", expected: "labels.jsonl written by 'ehr-graph tasks index'", fix: "Pass --index with the index folder the samples came from");
        }

        return JsonlReader.Read<LabelCounts>(path, TasksJson.Context.Options).Select(l => l.Value).ToList();
    }
}
