namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// Sends ONE attempt of a Chat Completions request and reports what came back, with no policy of its own: no
/// retries, no rate limiting, no timeout beyond the token it is given. <see cref="ChatEndpointClient"/> wraps every
/// transport in the same limiter / retry / circuit policy, so a transport only has to say what happened.
/// </summary>
/// <remarks>
/// Contract: return <see cref="ChatAttemptResult"/> for any HTTP answer (success, unusable body or error status);
/// throw <see cref="HttpRequestException"/> when no answer arrived (connection refused, reset, DNS), and let an
/// <see cref="OperationCanceledException"/> escape when <c>cancellationToken</c> is cancelled (the client's
/// per-attempt timeout). Implementations: <see cref="HttpChatTransport"/> (our own HttpClient code) and
/// <see cref="ChatClientTransport"/> (any Microsoft.Extensions.AI <c>IChatClient</c>, e.g. the OpenAI / Azure SDKs).
/// </remarks>
public interface IChatTransport : IDisposable
{
    /// <summary>Short name for logs and manifests (<c>http</c>, <c>sdk</c>).</summary>
    string Name { get; }

    /// <summary>
    /// Whether one request can return <c>n</c> &gt; 1 choices. When false, <see cref="ChatEndpointClient"/> sends
    /// <c>n</c> single-choice requests instead (each billed for the whole prompt).
    /// </summary>
    bool SupportsMultipleChoices { get; }

    /// <summary>One attempt of <paramref name="request"/>.</summary>
    Task<ChatAttemptResult> SendAsync(ChatRequest request, CancellationToken cancellationToken);
}

/// <summary>What one attempt produced: a completion, an unusable success answer, or an error status.</summary>
public sealed record ChatAttemptResult
{
    /// <summary>HTTP status of the answer.</summary>
    public required int Status { get; init; }

    /// <summary>The parsed completion of a 2xx answer; null when the body was truncated or unreadable.</summary>
    public ChatCompletion? Completion { get; init; }

    /// <summary>The server's wait hint (<c>retry-after-ms</c>, <c>x-ms-retry-after-ms</c> or <c>Retry-After</c>).</summary>
    public TimeSpan? RetryAfter { get; init; }

    public string? ReasonPhrase { get; init; }

    public bool IsSuccessStatus => Status is >= 200 and < 300;

    public static ChatAttemptResult Success(int status, ChatCompletion? completion) => new() { Status = status, Completion = completion };

    public static ChatAttemptResult Error(int status, string? reasonPhrase, TimeSpan? retryAfter) =>
        new() { Status = status, ReasonPhrase = reasonPhrase, RetryAfter = retryAfter };
}
