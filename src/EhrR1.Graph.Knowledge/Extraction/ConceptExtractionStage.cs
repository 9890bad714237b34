using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>Settings of <c>ehr-graph concepts extract</c>.</summary>
public sealed record ConceptExtractionSettings
{
    /// <summary>The output folder (events.jsonl, manifest.json), written atomically.</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Patients processed in parallel.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Patients per ordered batch: memory holds at most this many patients and their concepts.</summary>
    public int BatchSize { get; init; } = 64;

    /// <summary>Replace an existing output folder.</summary>
    public bool Force { get; init; }

    /// <summary>What the manifest records about the inputs (paths, matcher settings).</summary>
    public IReadOnlyDictionary<string, string?> Describe { get; init; } = new Dictionary<string, string?>(StringComparer.Ordinal);

    /// <summary>Problems (empty = valid).</summary>
    public IEnumerable<string> Validate()
    {
        if (Parallelism < 1)
        {
            yield return $"--threads must be >= 1; got {Parallelism}.";
        }

        if (BatchSize < 1)
        {
            yield return $"--batch-size must be >= 1; got {BatchSize}.";
        }
    }
}

/// <summary>
/// <c>ehr-graph concepts extract</c>: streams the trajectory store patient by patient, extracts each patient's event
/// concepts in parallel over the patients of a batch, and writes them in ascending subject order to
/// <c>events.jsonl</c> (one patient per line, <see cref="ConceptFiles"/>) with a manifest, atomically.
/// </summary>
public sealed class ConceptExtractionStage(ConceptExtractor extractor)
{
    public const string StageName = "concepts extract";

    public StageReport Run(ITrajectoryStore store, ConceptExtractionSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(settings);
        Core.Errors.StageConfigurationException.ThrowIfAny(settings.Validate());
        var clock = Stopwatch.StartNew();
        long patients = 0, events = 0, withConcepts = 0, structured = 0, linked = 0, notes = 0, spans = 0;
        using var output = AtomicDirectory.Begin(settings.OutputDirectory, settings.Force);
        using (var writer = new JsonlWriter(File.Create(Path.Combine(output.StagingPath, ConceptFiles.EventsFile), 1 << 16)))
        {
            var batch = new List<PatientTrajectory>(settings.BatchSize);
            var results = new PatientConcepts[settings.BatchSize];
            var options = new ParallelOptions { MaxDegreeOfParallelism = settings.Parallelism, CancellationToken = cancellationToken };
            void Flush()
            {
                Parallel.For(0, batch.Count, options, i => results[i] = ExtractPatient(batch[i], cancellationToken));
                for (var i = 0; i < batch.Count; i++)
                {
                    var p = results[i];
                    writer.Write(p);
                    patients++;
                    events += batch[i].Events.Count;
                    withConcepts += p.Events.Count;
                    foreach (var e in p.Events)
                    {
                        structured += e.Labels.Values.Sum(l => l.Count);
                        linked += e.Links.Count;
                        spans += e.Text.Count;
                        notes += ConceptExtractor.TextKeys.ContainsKey(e.Table) && e.Text.Count > 0 ? 1 : 0;
                    }

                    results[i] = null!;
                }

                batch.Clear();
                progress?.Report(new StageProgress("patients", patients, store.SubjectIds.Count, "patients"));
            }

            foreach (var trajectory in store.ReadAll(cancellationToken))
            {
                batch.Add(trajectory);
                if (batch.Count == settings.BatchSize)
                {
                    Flush();
                }
            }

            Flush();
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["patients"] = patients,
            ["events"] = events,
            ["events_with_concepts"] = withConcepts,
            ["structured_concepts"] = structured,
            ["structured_linked"] = linked,
            ["notes_with_spans"] = notes,
            ["text_spans"] = spans,
        };
        new RunManifest
        {
            Stage = StageName,
            Settings = new Dictionary<string, string?>(settings.Describe, StringComparer.Ordinal)
            {
                ["parallelism"] = settings.Parallelism.ToString(CultureInfo.InvariantCulture),
            },
            Counts = counts,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(Path.Combine(output.StagingPath, "manifest.json"));
        output.Commit();
        return new StageReport(StageName, clock.Elapsed.TotalSeconds, counts, [Path.Combine(output.Target, ConceptFiles.EventsFile)]);
    }

    /// <summary>One patient's events with concepts, in trajectory order.</summary>
    public PatientConcepts ExtractPatient(PatientTrajectory trajectory, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        var list = new List<EventConcepts>();
        for (var k = 0; k < trajectory.Events.Count; k++)
        {
            if (extractor.Extract(trajectory.Events[k], k, cancellationToken) is { } e)
            {
                list.Add(e);
            }
        }

        return new PatientConcepts(trajectory.SubjectId, list);
    }
}
