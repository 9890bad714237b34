namespace EhrR1.Graph.Core.Errors;

/// <summary>A failure of an external service (Neo4j, an LLM endpoint). Maps to exit code 2.</summary>
public sealed class ExternalServiceException(string code, string service, string message, bool isTransient, Exception? innerException = null)
    : EhrR1GraphException(code, service + ": " + message, isTransient, innerException)
{
    /// <summary>The service, e.g. "Neo4j" or "LLM endpoint".</summary>
    public string Service { get; } = service;

    /// <inheritdoc />
    public override int ExitCode => ExitCodes.ServiceUnavailable;
}
