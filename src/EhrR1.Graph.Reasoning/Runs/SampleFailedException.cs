namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>
/// Thrown by a <see cref="CheckpointedJsonlRunner{TIn, TOut}"/> work function to record one sample as failed with
/// a reason code and go on. The message must not contain patient text.
/// </summary>
public sealed class SampleFailedException(string reason, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    public string Reason { get; } = reason;
}
