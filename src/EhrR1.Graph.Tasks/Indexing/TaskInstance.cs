namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>
/// One task instance as enumerated from a trajectory (before the task-wide <c>target_weight</c> is known).
/// Indices are trajectory indices; <see cref="ContextEnd"/> is exclusive.
/// </summary>
public sealed record TaskInstance(
    string Task,
    string Event,
    long SubjectId,
    long? HadmId,
    int TargetIndex,
    int ContextBegin,
    int ContextEnd,
    int? AdmissionsId,
    int? LastDischargeId,
    IReadOnlyList<string> Target)
{
    /// <summary>The stable sample id <c>{task}:{subject_id}:{target_index}</c>.</summary>
    public string SampleId => SampleIds.Format(Task, SubjectId, TargetIndex);
}
