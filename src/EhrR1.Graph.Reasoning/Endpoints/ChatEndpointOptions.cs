using System.Globalization;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// Everything a <see cref="ChatEndpointClient"/> needs: where to send requests, how hard to push the endpoint
/// and how to recover. Build it from the environment with <see cref="FromEnvironment"/> and override with
/// command-line values via <c>with</c>. The API key is never written anywhere (see <see cref="ToString"/>).
/// </summary>
public sealed record ChatEndpointOptions
{
    public const string DefaultAzureApiVersion = "2024-10-21";

    public LlmProvider Provider { get; init; } = LlmProvider.OpenAi;

    /// <summary>
    /// Which code talks to the endpoint: <see cref="ChatClientKind.Http"/> (default: our HttpClient code, n choices
    /// in one request) or <see cref="ChatClientKind.Sdk"/> (Azure.AI.OpenAI / OpenAI SDK as an M.E.AI IChatClient,
    /// one choice per request). The limiter, retries and circuit are the same for both.
    /// </summary>
    public ChatClientKind Client { get; init; } = ChatClientKind.Http;

    /// <summary>
    /// OpenAI provider: the API base including the version segment, e.g. <c>https://api.example/v1</c>
    /// (requests go to <c>{Endpoint}/chat/completions</c>). Azure: the resource URL, e.g.
    /// <c>https://NAME.openai.azure.com</c>.
    /// </summary>
    public Uri? Endpoint { get; init; }

    public string? ApiKey { get; init; }

    /// <summary>Model name (OpenAI) or deployment name (Azure).</summary>
    public string Model { get; init; } = "gpt-4o";

    public string AzureApiVersion { get; init; } = DefaultAzureApiVersion;

    /// <summary>Requests in flight at once.</summary>
    public int MaxConcurrency { get; init; } = 16;

    /// <summary>Requests started in any 60 s window; 0 = unlimited.</summary>
    public int RequestsPerMinute { get; init; }

    /// <summary>Estimated tokens (prompt + n × max tokens) admitted in any 60 s window; 0 = unlimited.</summary>
    public long TokensPerMinute { get; init; }

    /// <summary>Prompt characters per token for the pre-call estimate (reconciled with reported usage afterwards).</summary>
    public double CharsPerToken { get; init; } = 4.0;

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(180);

    /// <summary>Retries after the first attempt on 408/409/429/5xx, timeouts, connection errors and unreadable responses.</summary>
    public int MaxRetries { get; init; } = 6;

    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxBackoff { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Connection failures in a row (across all requests) after which the circuit opens and the run stops.</summary>
    public int ConsecutiveConnectionFailureLimit { get; init; } = 8;

    /// <summary>Send <c>max_completion_tokens</c> instead of <c>max_tokens</c> (newer OpenAI reasoning models).</summary>
    public bool UseMaxCompletionTokens { get; init; }

    /// <summary>Seed for back-off jitter, so tests are reproducible.</summary>
    public int JitterSeed { get; init; } = 17;

    public bool IsConfigured => Endpoint is not null;

    /// <summary>
    /// Reads <c>EHRR1_LLM_PROVIDER</c> (openai|azure), <c>EHRR1_LLM_ENDPOINT</c> (else <c>AZURE_OPENAI_ENDPOINT</c> for
    /// azure, <c>OPENAI_BASE_URL</c> for openai), <c>EHRR1_LLM_API_KEY</c> (else <c>AZURE_OPENAI_API_KEY</c> /
    /// <c>OPENAI_API_KEY</c>), <c>EHRR1_LLM_MODEL</c> (else <c>EHRR1_LLM_DEPLOYMENT</c>) and
    /// <c>EHRR1_LLM_API_VERSION</c> and <c>EHRR1_LLM_CLIENT</c> (http|sdk). Missing values stay unset; <see cref="IsConfigured"/> tells whether a run is possible.
    /// </summary>
    public static ChatEndpointOptions FromEnvironment(Func<string, string?>? getEnv = null)
    {
        getEnv ??= Environment.GetEnvironmentVariable;
        string? Get(string name) => getEnv(name) is { Length: > 0 } v ? v.Trim() : null;

        var providerText = Get("EHRR1_LLM_PROVIDER");
        var provider = providerText is null
            ? (Get("AZURE_OPENAI_ENDPOINT") is not null && Get("EHRR1_LLM_ENDPOINT") is null ? LlmProvider.Azure : LlmProvider.OpenAi)
            : ParseProvider(providerText);
        var endpoint = Get("EHRR1_LLM_ENDPOINT")
            ?? (provider == LlmProvider.Azure ? Get("AZURE_OPENAI_ENDPOINT") : Get("OPENAI_BASE_URL"));
        var key = Get("EHRR1_LLM_API_KEY")
            ?? (provider == LlmProvider.Azure ? Get("AZURE_OPENAI_API_KEY") : Get("OPENAI_API_KEY"));
        var options = new ChatEndpointOptions
        {
            Provider = provider,
            Endpoint = endpoint is null ? null : ParseEndpoint(endpoint),
            ApiKey = key,
            Model = Get("EHRR1_LLM_MODEL") ?? Get("EHRR1_LLM_DEPLOYMENT") ?? "gpt-4o",
            AzureApiVersion = Get("EHRR1_LLM_API_VERSION") ?? DefaultAzureApiVersion,
            Client = Get("EHRR1_LLM_CLIENT") is { } client ? ParseClient(client) : ChatClientKind.Http,
        };
        if (options.Endpoint is null && provider == LlmProvider.OpenAi && key is not null)
        {
            options = options with { Endpoint = new Uri("https://api.openai.com/v1") };
        }

        return options;
    }

    public static LlmProvider ParseProvider(string text) => text.Trim().ToLowerInvariant() switch
    {
        "openai" or "openai-compatible" or "compatible" => LlmProvider.OpenAi,
        "azure" or "azure-openai" => LlmProvider.Azure,
        _ => throw new ArgumentException("unknown LLM provider '" + text + "'; expected openai or azure", nameof(text)),
    };

    public static ChatClientKind ParseClient(string text) => text.Trim().ToLowerInvariant() switch
    {
        "http" => ChatClientKind.Http,
        "sdk" => ChatClientKind.Sdk,
        _ => throw new ArgumentException("unknown LLM client '" + text + "'; expected http or sdk", nameof(text)),
    };

    public static Uri ParseEndpoint(string text)
    {
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            throw new ArgumentException("the LLM endpoint must be an absolute http(s) URL", nameof(text));
        }

        return uri;
    }

    /// <summary>Problems with the settings (empty = valid).</summary>
    public IEnumerable<string> Validate()
    {
        if (MaxConcurrency < 1)
        {
            yield return "concurrency must be at least 1; got " + MaxConcurrency.ToString(CultureInfo.InvariantCulture) + ".";
        }

        if (RequestsPerMinute < 0 || TokensPerMinute < 0)
        {
            yield return "requests-per-minute and tokens-per-minute must be 0 (unlimited) or positive.";
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            yield return "the request timeout must be positive.";
        }

        if (MaxRetries < 0)
        {
            yield return "max retries must be 0 or more.";
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            yield return "a model (OpenAI) or deployment (Azure) name is required: set --model or EHRR1_LLM_MODEL.";
        }

        if (CharsPerToken <= 0)
        {
            yield return "chars-per-token must be positive.";
        }
    }

    /// <summary>Describes the endpoint without the key (safe for logs and manifests).</summary>
    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"{Provider} {Redact(Endpoint)} model={Model} client={Client.ToString().ToLowerInvariant()} key={(string.IsNullOrEmpty(ApiKey) ? "unset" : "set")}");

    /// <summary>
    /// The endpoint without its query and without credentials written into it (<c>http://user:KEY@host</c> becomes
    /// <c>http://***@host</c>), for logs, manifests and error messages.
    /// </summary>
    public static string? Redact(Uri? endpoint)
    {
        if (endpoint is null || !endpoint.IsAbsoluteUri)
        {
            return endpoint?.ToString();
        }

        var text = endpoint.GetLeftPart(UriPartial.Path);
        return string.IsNullOrEmpty(endpoint.UserInfo) ? text : text.Replace(endpoint.UserInfo + "@", "***@", StringComparison.Ordinal);
    }

    internal Uri ChatCompletionsUri(string? modelOverride)
    {
        var endpoint = Endpoint ?? throw new InvalidOperationException("no endpoint configured");
        var root = endpoint.AbsoluteUri.TrimEnd('/');
        return Provider == LlmProvider.Azure
            ? new Uri(root + "/openai/deployments/" + Uri.EscapeDataString(modelOverride ?? Model) + "/chat/completions?api-version=" + Uri.EscapeDataString(AzureApiVersion))
            : new Uri(root + "/chat/completions");
    }

    internal Uri ApiUri(string relative)
    {
        var endpoint = Endpoint ?? throw new InvalidOperationException("no endpoint configured");
        var root = endpoint.AbsoluteUri.TrimEnd('/');
        if (Provider == LlmProvider.Azure)
        {
            var sep = relative.Contains('?', StringComparison.Ordinal) ? "&" : "?";
            return new Uri(root + "/openai/" + relative.TrimStart('/') + sep + "api-version=" + Uri.EscapeDataString(AzureApiVersion));
        }

        return new Uri(root + "/" + relative.TrimStart('/'));
    }

    internal void Authorize(HttpRequestMessage request)
    {
        if (string.IsNullOrEmpty(ApiKey))
        {
            return;
        }

        if (Provider == LlmProvider.Azure)
        {
            request.Headers.TryAddWithoutValidation("api-key", ApiKey);
        }
        else
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ApiKey);
        }
    }
}
