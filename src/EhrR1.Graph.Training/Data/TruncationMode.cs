namespace EhrR1.Graph.Training.Data;

/// <summary>How an over-long sample is cut. The answer (assistant turn) is never cut.</summary>
public enum TruncationMode
{
    /// <summary>
    /// Default. Cut inside the last user message only: keep its first <c>HeadTokens</c> tokens (the EHR header with
    /// demographics and admission) and as much of its end as fits (latest events + the instruction), and drop
    /// the middle, marking the cut with a short text marker.
    /// </summary>
    HeadAndTail,

    /// <summary>Cut inside the last user message from its start, keeping its end (upstream-like, but chat markup,
    /// system prompt and the instruction at the end survive).</summary>
    KeepEnd,

    /// <summary>Skip samples that do not fit.</summary>
    Drop,
}
