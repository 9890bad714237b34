namespace EhrR1.Graph.Core.Errors;

/// <summary>Documented process exit codes of <c>ehr-graph</c>.</summary>
public static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Success = 0;

    /// <summary>Bad input data or settings: the user can fix it.</summary>
    public const int BadInput = 1;

    /// <summary>An external service (Neo4j, an LLM endpoint) was unavailable or failed after retries.</summary>
    public const int ServiceUnavailable = 2;

    /// <summary>An unexpected internal error (a bug).</summary>
    public const int InternalError = 3;

    /// <summary>Cancelled: Ctrl+C (SIGINT) or SIGTERM.</summary>
    public const int Cancelled = 130;
}
