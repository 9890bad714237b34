namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// One request failed for good (bad request, retries exhausted, unusable response) while the endpoint itself is
/// healthy: record the sample as failed with <see cref="Reason"/> and go on. Messages never contain prompt text.
/// </summary>
public sealed class ChatRequestFailedException(string reason, int? statusCode, int attempts, string message, Exception? innerException = null)
    : Exception(message, innerException)
{
    /// <summary>Short machine-readable code: http_400, retries_exhausted_429, timeout, empty_choices, unreadable_response, ...</summary>
    public string Reason { get; } = reason;

    public int? StatusCode { get; } = statusCode;

    public int Attempts { get; } = attempts;
}
