namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>What one <see cref="CheckpointedJsonlRunner{TIn, TOut}"/> run did.</summary>
public sealed record CheckpointedRunResult(
    long Completed,
    long Failed,
    long AlreadyDone,
    long DuplicateInputs,
    long ResumedLines,
    long TruncatedBytes,
    TimeSpan Elapsed);
