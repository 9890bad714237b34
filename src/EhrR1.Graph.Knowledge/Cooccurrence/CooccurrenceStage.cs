using System.Diagnostics;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Knowledge.Extraction;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>
/// <c>ehr-graph graph cooccur</c>: counts target × history concept co-occurrence per decision-making task (training
/// subjects only when a list is given) and writes the kept pairs as a folder (<see cref="CooccurrenceFiles"/>).
/// </summary>
public sealed class CooccurrenceStage : IStage<CooccurrenceStageSettings>
{
    /// <inheritdoc />
    public Task<StageReport> RunAsync(CooccurrenceStageSettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Task.Run(
            () =>
            {
                var clock = Stopwatch.StartNew();
                var subjects = settings.TrainSubjectsPath is null ? null : SubjectList.Load(settings.TrainSubjectsPath);
                var samples = TaskIndexFiles.Read(settings.TasksDirectory, CooccurrenceTasks.Includes, subjects is null ? null : subjects.Contains, cancellationToken);
                var table = new CooccurrenceCounter(settings.Counting).Count(samples, ConceptFiles.ReadPatients(settings.ConceptsDirectory), cancellationToken);
                var counts = new Dictionary<string, long>(StringComparer.Ordinal)
                {
                    ["tasks"] = table.Tasks.Count,
                    ["samples"] = table.Tasks.Sum(t => table[t]!.Samples),
                    ["pairs_counted"] = table.PairsCounted,
                    ["pairs_kept"] = table.Tasks.Sum(t => table[t]!.Pairs.Count),
                    ["samples_without_target_concepts"] = table.SamplesWithoutTarget,
                };
                CooccurrenceFiles.Write(table, settings.OutputDirectory, settings.Force);
                return new StageReport(settings.StageName, clock.Elapsed.TotalSeconds, counts, [settings.OutputDirectory]);
            },
            cancellationToken);
    }
}
