namespace EhrR1.Graph.Evaluation.Endpoint;

/// <summary>
/// An OpenAI-compatible chat-completions endpoint (vLLM, OpenAI, ...) or an Azure OpenAI deployment.
/// The API key comes from an environment variable read by the CLI; it is never logged or written to files.
/// </summary>
public sealed record EndpointSettings
{
    /// <summary>OpenAI-compatible base URL, e.g. <c>http://127.0.0.1:8000/v1</c> (requests go to <c>{base}/chat/completions</c>).
    /// For Azure: the resource endpoint, e.g. <c>https://NAME.openai.azure.com</c>.</summary>
    public required Uri BaseUrl { get; init; }

    /// <summary>Model name sent in requests (OpenAI-compatible); for Azure, the deployment name.</summary>
    public required string Model { get; init; }

    /// <summary>Azure OpenAI: the api-version query value; null for OpenAI-compatible endpoints.</summary>
    public string? AzureApiVersion { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>Requests in flight at once.</summary>
    public int Concurrency { get; init; } = 8;

    /// <summary>Attempts per request for transient failures (429, 5xx, timeouts, unreadable responses).</summary>
    public int MaxAttempts { get; init; } = 6;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>First back-off delay; doubled per attempt (with jitter), capped at <see cref="MaxBackoff"/>; Retry-After wins.</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Stop the run (exit code 2) after this many samples in a row failed after all retries: the endpoint is down.</summary>
    public int CircuitBreakAfter { get; init; } = 10;

    /// <summary>Alternatives returned per position for risk tasks (OpenAI allows at most 20).</summary>
    public int TopLogprobs { get; init; } = 20;

    /// <summary>vLLM/Qwen3: send <c>chat_template_kwargs.enable_thinking</c> so the chat template sets thinking on or off.</summary>
    public bool SendThinkingTemplateSwitch { get; init; }

    /// <summary>Sent as <c>seed</c> for reproducible sampling where the server supports it.</summary>
    public int? Seed { get; init; } = 42;

    public bool IsAzure => AzureApiVersion is not null;

    public IEnumerable<string> Validate()
    {
        if (!BaseUrl.IsAbsoluteUri || (BaseUrl.Scheme != Uri.UriSchemeHttp && BaseUrl.Scheme != Uri.UriSchemeHttps))
        {
            yield return "--endpoint must be an absolute http(s) URL.";
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            yield return "--model is required with --endpoint (the model or Azure deployment name).";
        }

        if (Concurrency is < 1 or > 1024)
        {
            yield return $"--concurrency must be between 1 and 1024; got {Concurrency}.";
        }

        if (MaxAttempts < 1)
        {
            yield return $"--max-attempts must be at least 1; got {MaxAttempts}.";
        }

        if (TopLogprobs is < 2 or > 20)
        {
            yield return $"--top-logprobs must be between 2 and 20; got {TopLogprobs}.";
        }
    }
}
