namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>Where a <see cref="CheckpointedJsonlRunner{TIn, TOut}"/> writes and how often it makes the output durable.</summary>
public sealed record CheckpointedRunSettings
{
    /// <summary>Results JSONL, appended; one object per line carrying <see cref="KeyProperty"/>.</summary>
    public required string OutputPath { get; init; }

    /// <summary>Failures JSONL (<see cref="FailureRecord"/>), appended. Failed samples are retried by a rerun.</summary>
    public required string FailuresPath { get; init; }

    /// <summary>The top-level string property of every output line that holds the key (default <c>sample_id</c>).</summary>
    public string KeyProperty { get; init; } = "sample_id";

    /// <summary>Work items in flight at once.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Flush and fsync after this many written lines...</summary>
    public int SyncEveryLines { get; init; } = 200;

    /// <summary>...or after this much time, whichever comes first.</summary>
    public TimeSpan SyncInterval { get; init; } = TimeSpan.FromSeconds(2);
}
