using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Serialization;
using EhrR1.Graph.Trajectories.Model;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>
/// <c>ehr-graph tasks index</c>: streams patients from a trajectory store and writes one JSONL file per task, a
/// per-task subject index for random access by patient, label counts and a manifest, atomically.
/// Memory is bounded by one patient plus the per-task label counts: rows go to disk as they are made. A second
/// sequential pass per task adds <c>target_weight</c>, which needs the task-wide label frequencies.
/// </summary>
public sealed class TaskIndexBuilder(ILogger<TaskIndexBuilder>? logger = null)
{
    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public const string StageName = "tasks index";

    public async Task<StageReport> RunAsync(ITrajectoryStore store, TaskIndexSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        var clock = Stopwatch.StartNew();
        var tasks = TaskCatalog.All.Where(t => settings.Tasks is null || settings.Tasks.Contains(t.Name)).ToList();
        var total = store.SubjectIds.Count;
        LogMessages.IndexStarted(_logger, total, settings.WindowMode, settings.WindowHours, tasks.Count);

        using var output = AtomicDirectory.Begin(settings.OutputDirectory, settings.Force);
        var enumerator = new TaskInstanceEnumerator(settings.WindowMode, settings.Tasks, settings.WindowHours);
        var stats = new Dictionary<string, TaskStats>(StringComparer.Ordinal);
        var window = TimeSpan.FromHours(settings.WindowHours);
        long patients = 0, events = 0, instances = 0;
        try
        {
            foreach (var trajectory in store.ReadAll(cancellationToken))
            {
                cancellationToken.ThrowIfCancellationRequested();
                patients++;
                events += trajectory.Events.Count;
                foreach (var inst in enumerator.Enumerate(trajectory))
                {
                    // Never write an instance whose input could show the outcome (fails the build: a rule bug).
                    LeakGuard.Verify(trajectory, TaskCatalog.ByName[inst.Task], inst.SampleId, inst.TargetIndex, inst.ContextBegin, inst.ContextEnd, window, settings.StorePath, null);
                    if (!stats.TryGetValue(inst.Task, out var s))
                    {
                        s = new TaskStats(TaskCatalog.ByName[inst.Task], PartPath(output.StagingPath, inst.Task));
                        stats[inst.Task] = s;
                    }

                    s.Add(TaskIndexRow.From(inst));
                    instances++;
                }

                if ((patients & 63) == 0)
                {
                    progress?.Report(new StageProgress("patients", patients, total, "patients"));
                }
            }

            progress?.Report(new StageProgress("patients", patients, total, "patients"));
            foreach (var s in stats.Values)
            {
                s.CloseWriter();
            }

            // Pass 2: weights and the per-subject offsets, one task at a time.
            var done = 0;
            foreach (var task in tasks.Where(t => stats.ContainsKey(t.Name)))
            {
                await FinishTaskAsync(stats[task.Name], output.StagingPath, settings.WindowMode == ContextWindowMode.Upstream, cancellationToken);
                progress?.Report(new StageProgress("weights", ++done, stats.Count, "tasks"));
            }

            WriteLabelCounts(output.StagingPath, tasks, stats);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["patients"] = patients,
                ["events"] = events,
                ["instances"] = instances,
            };
            foreach (var task in tasks)
            {
                counts["task." + task.Name] = stats.TryGetValue(task.Name, out var s) ? s.Instances : 0;
            }

            new RunManifest
            {
                Stage = StageName,
                Settings = new Dictionary<string, string?>
                {
                    ["store"] = settings.StorePath,
                    ["window_mode"] = settings.WindowMode == ContextWindowMode.Contiguous ? "contiguous" : "upstream",
                    ["window_hours"] = settings.WindowHours.ToString(CultureInfo.InvariantCulture),
                    ["tasks"] = settings.Tasks is null ? "all" : string.Join(",", settings.Tasks.Order(StringComparer.Ordinal)),
                },
                Counts = counts,
                ElapsedSeconds = clock.Elapsed.TotalSeconds,
            }.Save(Path.Combine(output.StagingPath, TaskIndexLayout.ManifestFile));
            output.Commit();
            LogMessages.IndexFinished(_logger, instances, patients, events, clock.ElapsedMilliseconds);
            return new StageReport(StageName, clock.Elapsed.TotalSeconds, counts, [output.Target]);
        }
        finally
        {
            foreach (var s in stats.Values)
            {
                s.Dispose();
            }
        }
    }

    private static string PartPath(string dir, string task) => Path.Combine(dir, task + ".part");

    private static async Task FinishTaskAsync(TaskStats stats, string dir, bool upstreamWeights, CancellationToken cancellationToken)
    {
        var def = stats.Definition;
        var final = TaskIndexLayout.TaskFile(dir, def.Name);
        var subjectBuffer = new byte[TaskIndexLayout.SubjectRecordSize];
        await using (var stream = new FileStream(final, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        await using (var subjects = new FileStream(TaskIndexLayout.SubjectFile(dir, def.Name), FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 14))
        using (var writer = new JsonlWriter(stream, TasksJson.Context.Options, leaveOpen: true))
        {
            long currentSubject = long.MinValue, subjectOffset = 0;
            var subjectRows = 0;
            void FlushSubject()
            {
                if (subjectRows == 0)
                {
                    return;
                }

                BinaryPrimitives.WriteInt64LittleEndian(subjectBuffer.AsSpan(0, 8), currentSubject);
                BinaryPrimitives.WriteInt64LittleEndian(subjectBuffer.AsSpan(8, 8), subjectOffset);
                BinaryPrimitives.WriteInt32LittleEndian(subjectBuffer.AsSpan(16, 4), subjectRows);
                subjects.Write(subjectBuffer);
            }

            await foreach (var line in JsonlReader.ReadAsync<TaskIndexRow>(PartPath(dir, def.Name), TasksJson.Context.Options, cancellationToken).WithCancellation(cancellationToken))
            {
                var row = line.Value with { TargetWeight = stats.Weight(line.Value.Target, upstreamWeights) };
                if (row.SubjectId != currentSubject)
                {
                    if (row.SubjectId < currentSubject)
                    {
                        throw new InputDataException("EHR-TSK-001", "trajectory store", null, "subject_id", "the store did not return patients in ascending subject order", expected: "ascending subject ids", found: "subject " + row.SubjectId.ToString(CultureInfo.InvariantCulture) + " after " + currentSubject.ToString(CultureInfo.InvariantCulture));
                    }

                    FlushSubject();
                    writer.Flush();
                    currentSubject = row.SubjectId;
                    subjectOffset = stream.Position;
                    subjectRows = 0;
                }

                writer.Write(row);
                subjectRows++;
            }

            FlushSubject();
        }

        File.Delete(PartPath(dir, def.Name));
    }

    private static void WriteLabelCounts(string dir, IReadOnlyList<TaskDefinition> tasks, Dictionary<string, TaskStats> stats)
    {
        AtomicFile.Write(Path.Combine(dir, TaskIndexLayout.LabelsFile), stream =>
        {
            using var writer = new JsonlWriter(stream, TasksJson.Context.Options, leaveOpen: true);
            foreach (var task in tasks)
            {
                if (!stats.TryGetValue(task.Name, out var s))
                {
                    continue;
                }

                writer.Write(new LabelCounts
                {
                    Task = task.Name,
                    Instances = s.Instances,
                    Labels = [.. s.Counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => new LabelCount(kv.Key, kv.Value))],
                });
            }
        });
    }

    /// <summary>Per-task pass-1 state: the part file being written and the label counts.</summary>
    private sealed class TaskStats(TaskDefinition definition, string partPath) : IDisposable
    {
        private FileStream? _stream = new(partPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        private JsonlWriter? _writer;

        public TaskDefinition Definition { get; } = definition;

        public Dictionary<string, long> Counts { get; } = new(StringComparer.Ordinal);

        public long Instances { get; private set; }

        public void Add(TaskIndexRow row)
        {
            _writer ??= new JsonlWriter(_stream!, TasksJson.Context.Options);
            _writer.Write(row);
            Instances++;
            if (Definition.Name == TaskCatalog.Discharge)
            {
                return;
            }

            foreach (var label in row.Target)
            {
                Counts[label] = Counts.GetValueOrDefault(label) + 1;
            }
        }

        /// <summary>
        /// Upstream §2.1: 1 / mean over the row's labels of the label's frequency within the task. By default the
        /// frequency is the share of the task's instances that carry the label; with <paramref name="upstreamCounts"/>
        /// it is the label's count, as upstream's <c>get_sample_weight</c> divides (the default times 1 / the task's
        /// instance count, so weighted sampling within a task picks the same rows). Discharge notes weigh 1.
        /// </summary>
        public double Weight(IReadOnlyList<string> target, bool upstreamCounts)
        {
            if (Definition.Name == TaskCatalog.Discharge || target.Count == 0 || Instances == 0)
            {
                return 1.0;
            }

            double sum = 0;
            foreach (var label in target)
            {
                sum += upstreamCounts ? Counts.GetValueOrDefault(label) : Counts.GetValueOrDefault(label) / (double)Instances;
            }

            var mean = sum / target.Count;
            return mean > 0 ? 1.0 / mean : 1.0;
        }

        public void Dispose() => CloseWriter();

        public void CloseWriter()
        {
            if (_writer is not null)
            {
                _writer.Dispose();
                _writer = null;
                _stream = null;
            }
            else if (_stream is not null)
            {
                _stream.Dispose();
                _stream = null;
            }
        }
    }
}
