using System.Diagnostics;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Indexing;

namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>
/// <c>ehr-graph concepts samples</c>: the concepts of each sampled decision-making task instance (the rows written by
/// <c>tasks sample</c>) as <see cref="SampleConcepts"/> records for evidence search. Targets are the target event's
/// labels for the task; history and hidden history follow <see cref="CooccurrenceCounter.HistoryIndices"/> (the one
/// rule, shared with co-occurrence counting): history = the events the rendered input shows, hidden = what the
/// upstream history adds. Output order: ascending subject, then the samples file's order. Memory: the sample rows
/// plus one patient's concepts.
/// </summary>
/// <param name="settings">Co-occurrence settings (the history rule).</param>
/// <remarks>With <see cref="SampleConceptsSettings.AllTasks"/> it also writes the samples of risk and other scalar-label
/// tasks (targets then empty): the graph baseline of <c>eval baseline --kind graph</c> needs the history of every test
/// sample, risk ones included.</remarks>
public sealed class SampleConceptsStage(CooccurrenceSettings? settings = null) : IStage<SampleConceptsSettings>
{
    public const string StageName = "concepts samples";

    private readonly CooccurrenceCounter _visible = new((settings ?? new CooccurrenceSettings()) with { UpstreamHistory = false });
    private readonly CooccurrenceCounter _upstream = new((settings ?? new CooccurrenceSettings()) with { UpstreamHistory = true });

    /// <inheritdoc />
    public async Task<StageReport> RunAsync(SampleConceptsSettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var (samplesPath, conceptsDirectory, outputPath, allTasks) = (settings.SamplesPath, settings.ConceptsDirectory, settings.OutputPath, settings.AllTasks);
        var clock = Stopwatch.StartNew();
        var bySubject = new SortedDictionary<long, List<(long Line, TaskIndexRow Row)>>();
        long read = 0, skipped = 0;
        JsonlKind.TaskSamples.Require(samplesPath);
        await foreach (var line in JsonlReader.ReadAsync<TaskIndexRow>(samplesPath, JsonDefaults.Jsonl, cancellationToken))
        {
            read++;
            var row = line.Value;
            if (allTasks ? TaskCatalog.Find(row.Task) is null : !CooccurrenceTasks.Includes(row.Task))
            {
                skipped++;
                continue;
            }

            // a risk sample's window follows its target (the admission it predicts from), so only the window is checked
            if (row.ContextBegin < 0 || row.ContextEnd < row.ContextBegin || (row.TargetIndex < row.ContextEnd && CooccurrenceTasks.Includes(row.Task)))
            {
                throw new InputDataException("EHR-GR-060", samplesPath, line.LineNumber, "context_begin", "invalid context window", expected: "0 <= context_begin <= context_end <= target_index", fix: "Pass the output of `ehr-graph tasks sample` unchanged");
            }

            if (!bySubject.TryGetValue(row.SubjectId, out var list))
            {
                bySubject[row.SubjectId] = list = [];
            }

            list.Add((line.LineNumber, row));
        }

        long written = 0, withoutTargets = 0, emptyHistory = 0;
        var remaining = new Queue<long>(bySubject.Keys);
        AtomicFile.Write(outputPath, stream =>
        {
            using var writer = new JsonlWriter(stream, leaveOpen: true);
            foreach (var patient in ConceptFiles.ReadPatients(conceptsDirectory))
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (remaining.Count > 0 && remaining.Peek() < patient.SubjectId)
                {
                    throw MissingPatient(samplesPath, conceptsDirectory, bySubject[remaining.Peek()][0].Line);
                }

                if (remaining.Count == 0 || remaining.Peek() != patient.SubjectId)
                {
                    continue;
                }

                remaining.Dequeue();
                var events = patient.Events.ToDictionary(e => e.Index);
                foreach (var (_, row) in bySubject[patient.SubjectId])
                {
                    var record = Build(row, events);
                    withoutTargets += record.Targets!.Count == 0 ? 1 : 0;
                    emptyHistory += record.History!.Count == 0 ? 1 : 0;
                    writer.Write(record);
                    written++;
                }
            }

            if (remaining.Count > 0)
            {
                throw MissingPatient(samplesPath, conceptsDirectory, bySubject[remaining.Peek()][0].Line);
            }
        });

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["samples_read"] = read,
            ["samples_written"] = written,
            ["skipped_not_concept_task"] = skipped,
            ["samples_without_target_concepts"] = withoutTargets,
            ["samples_without_history"] = emptyHistory,
        };
        return new StageReport(StageName, clock.Elapsed.TotalSeconds, counts, [Path.GetFullPath(outputPath)]);
    }

    /// <summary>The record of one sample, given its patient's events with concepts (by trajectory index).</summary>
    public SampleConcepts Build(TaskIndexRow row, IReadOnlyDictionary<int, EventConcepts> events)
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(events);
        string? TableOf(int i) => events.TryGetValue(i, out var e) ? e.Table : null;
        var cuis = new SortedDictionary<string, string>(StringComparer.Ordinal);
        void Link(EventConcepts e)
        {
            foreach (var (term, cui) in e.Links)
            {
                cuis.TryAdd(term, cui);
            }

            foreach (var t in e.Text)
            {
                cuis.TryAdd(t.Term, t.Cui);
            }
        }

        var targets = new List<string>();
        if (events.TryGetValue(row.TargetIndex, out var target) && target.Labels.TryGetValue(row.Task, out var labels))
        {
            targets.AddRange(labels.Distinct(StringComparer.Ordinal));
            Link(target);
        }

        var history = new List<string>();
        var historyFlags = new LabFlagMap();
        var hiddenFlags = new LabFlagMap();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var visible = new HashSet<int>();
        foreach (var k in _visible.HistoryIndices(row, TableOf))
        {
            visible.Add(k);
            if (!events.TryGetValue(k, out var e))
            {
                continue;
            }

            history.AddRange(_visible.AllConcepts(e).Where(seen.Add));
            historyFlags.AddAll(e.Flags);
            Link(e);
        }

        var hidden = new List<string>();
        foreach (var k in _upstream.HistoryIndices(row, TableOf))
        {
            if (!visible.Contains(k) && events.TryGetValue(k, out var e))
            {
                hidden.AddRange(_upstream.AllConcepts(e).Where(seen.Add));
                hiddenFlags.AddAll(e.Flags);
                Link(e);
            }
        }

        var used = new HashSet<string>(targets.Concat(history).Concat(hidden), StringComparer.Ordinal);
        return new SampleConcepts
        {
            SampleId = row.SampleId,
            Task = row.Task,
            TaskType = TaskCatalog.ByName[row.Task].TaskType,
            Targets = targets,
            History = history,
            HiddenHistory = hidden,
            HistoryFlags = historyFlags.ToRecord(),
            HiddenHistoryFlags = hiddenFlags.ToRecord(),
            Cuis = cuis.Where(kv => used.Contains(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        };
    }

    private static InputDataException MissingPatient(string samplesPath, string conceptsDirectory, long line) =>
        new("EHR-GR-061", samplesPath, line, "subject_id", "the sample's patient is not in the concepts file " + Path.Combine(conceptsDirectory, ConceptFiles.EventsFile), expected: "samples drawn from the same trajectory store as the concepts", fix: "Run `ehr-graph concepts extract` on the store the task index was built from");
}
