using System.Globalization;
using System.Net;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// A Chat Completions client for Azure OpenAI and any OpenAI-compatible server, with the run-time policy a
/// long synthesis or evaluation run needs, all in one place and the same for every <see cref="IChatTransport"/>:
/// <list type="bullet">
/// <item>bounded concurrency (<see cref="ChatEndpointOptions.MaxConcurrency"/>) and an RPM/TPM
/// <see cref="RateLimiter"/> that holds in every 60 s window at the server: each attempt (retries included) holds a
/// lease from its grant until a window after it ended, reserving an upper bound of its tokens
/// (<see cref="ReserveTokens"/>) that is reconciled with <c>usage</c> when the response arrives;</item>
/// <item>retries with exponential back-off and jitter on 408/409/429/5xx, timeouts, connection errors,
/// truncated JSON and empty choice lists, honouring <c>retry-after-ms</c> and <c>Retry-After</c>;</item>
/// <item>a per-attempt timeout;</item>
/// <item>a circuit: 401/403/404, or <see cref="ChatEndpointOptions.ConsecutiveConnectionFailureLimit"/> connection
/// failures in a row, stop every caller with an <see cref="ExternalServiceException"/> (exit code 2).</item>
/// </list>
/// Other permanent per-request failures throw <see cref="ChatRequestFailedException"/>. The transport is chosen by
/// <see cref="ChatEndpointOptions.Client"/>: <see cref="HttpChatTransport"/> (default) or
/// <see cref="ChatClientTransport"/> over the Azure / OpenAI SDKs; any other Microsoft.Extensions.AI
/// <c>IChatClient</c> can be passed with <see cref="ChatEndpointClient(ChatEndpointOptions, IChatTransport, RateLimiter?, ILogger?, TimeProvider?)"/>.
/// A transport without multi-choice support gets <c>n</c> single-choice requests (<see cref="ChatCompletion.Requests"/>).
/// </summary>
public sealed class ChatEndpointClient : IDisposable
{
    public const string ServiceName = "LLM endpoint";
    private const int DefaultCompletionEstimate = 1024;
    private const int MessageOverheadTokens = 8;

    private readonly IChatTransport _transport;
    private readonly bool _ownsLimiter;
    private readonly SemaphoreSlim _concurrency;
    private readonly CancellationTokenSource _circuit = new();
    private readonly ILogger _logger;
    private readonly Random _jitter;
    private readonly Lock _jitterGate = new();
    private ExternalServiceException? _circuitError;
    private int _consecutiveConnectionFailures;
    private long _attempts, _succeeded, _failed, _retries, _throttled, _serverErrors, _timeouts, _connectionErrors, _unreadable, _promptTokens, _completionTokens;

    /// <summary>A client whose transport is chosen by <see cref="ChatEndpointOptions.Client"/>; <paramref name="httpClient"/> is used by both (the SDKs through their HttpClient pipeline transport).</summary>
    public ChatEndpointClient(ChatEndpointOptions options, HttpClient? httpClient = null, RateLimiter? rateLimiter = null, ILogger? logger = null, TimeProvider? timeProvider = null)
        : this(options, CreateTransport(options, httpClient), rateLimiter, logger, timeProvider)
    {
    }

    /// <summary>A client over any transport (e.g. <see cref="ChatClientTransport"/> around your own <c>IChatClient</c>); the client disposes it.</summary>
    public ChatEndpointClient(ChatEndpointOptions options, IChatTransport transport, RateLimiter? rateLimiter = null, ILogger? logger = null, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(transport);
        Options = options;
        TimeProvider = timeProvider ?? TimeProvider.System;
        _transport = transport;
        _concurrency = new SemaphoreSlim(options.MaxConcurrency, options.MaxConcurrency);
        _ownsLimiter = rateLimiter is null;
        RateLimiter = rateLimiter ?? new RateLimiter(options.RequestsPerMinute, options.TokensPerMinute, TimeProvider);
        _logger = logger ?? NullLogger.Instance;
        _jitter = new Random(options.JitterSeed);
    }

    public ChatEndpointOptions Options { get; }

    public RateLimiter RateLimiter { get; }

    public TimeProvider TimeProvider { get; }

    /// <summary>The transport's name (<c>http</c>, <c>sdk</c>).</summary>
    public string TransportName => _transport.Name;

    /// <summary>API requests one <see cref="ChatRequest"/> with <c>n</c> completions costs: 1, or n when the transport returns one choice per request.</summary>
    public int RequestsPerCall(int n) => _transport.SupportsMultipleChoices ? 1 : Math.Max(1, n);

    /// <summary>Set once the circuit has opened; every later call throws it.</summary>
    public ExternalServiceException? CircuitError => Volatile.Read(ref _circuitError);

    /// <summary>Cancelled when the circuit opens, so that callers can stop feeding work.</summary>
    public CancellationToken CircuitToken => _circuit.Token;

    public static HttpClient CreateHttpClient(int maxConnections) =>
        new(new SocketsHttpHandler
        {
            MaxConnectionsPerServer = Math.Max(1, maxConnections),
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(15),
            AutomaticDecompression = DecompressionMethods.All,
        })
        { Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>The transport <see cref="ChatEndpointOptions.Client"/> asks for.</summary>
    public static IChatTransport CreateTransport(ChatEndpointOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        StageConfigurationException.ThrowIfAny(options.Validate());
        if (options.Endpoint is null)
        {
            throw new StageConfigurationException("no LLM endpoint is configured: set EHRR1_LLM_ENDPOINT (or pass --endpoint) and EHRR1_LLM_API_KEY.");
        }

        return options.Client == ChatClientKind.Sdk ? SdkChatClients.CreateTransport(options, httpClient) : new HttpChatTransport(options, httpClient);
    }

    public ChatEndpointStatistics Statistics => new(
        Interlocked.Read(ref _attempts), Interlocked.Read(ref _succeeded), Interlocked.Read(ref _failed), Interlocked.Read(ref _retries),
        Interlocked.Read(ref _throttled), Interlocked.Read(ref _serverErrors), Interlocked.Read(ref _timeouts),
        Interlocked.Read(ref _connectionErrors), Interlocked.Read(ref _unreadable), Interlocked.Read(ref _promptTokens), Interlocked.Read(ref _completionTokens));

    /// <summary>Token estimate used for TPM admission of one API request: prompt characters / chars-per-token + n × max tokens.</summary>
    public long EstimateTokens(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long chars = 0;
        foreach (var m in request.Messages)
        {
            chars += m.Content.Length + 16;
        }

        var prompt = (long)Math.Ceiling(chars / Options.CharsPerToken);
        return prompt + ((long)Math.Max(1, request.N) * (request.MaxTokens ?? DefaultCompletionEstimate));
    }

    /// <summary>
    /// Tokens reserved in the TPM window while one API request is in flight: an upper bound of what the endpoint can
    /// bill for it, since a BPE token covers at least one UTF-8 byte (prompt bytes + a per-message allowance for the
    /// chat template) and the completion is capped at n × max tokens. Once the response arrives the reservation is
    /// replaced by the reported usage. Without a max tokens value the completion bound is the default estimate, so the
    /// TPM guarantee then rests on that estimate.
    /// </summary>
    public static long ReserveTokens(ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        long bytes = MessageOverheadTokens;
        foreach (var m in request.Messages)
        {
            bytes += System.Text.Encoding.UTF8.GetByteCount(m.Content) + System.Text.Encoding.UTF8.GetByteCount(m.Role) + MessageOverheadTokens;
        }

        return bytes + ((long)Math.Max(1, request.N) * (request.MaxTokens ?? DefaultCompletionEstimate));
    }

    /// <summary>
    /// Sends one request with the full retry / limit / circuit policy. When <c>n</c> &gt; 1 and the transport returns
    /// one choice per request, sends <c>n</c> single-choice requests (seed + i when a seed is set) and merges them:
    /// choices in order, usage summed (the prompt is billed n times), attempts summed, <see cref="ChatCompletion.Requests"/> = n.
    /// If one of them fails for good, the others are cancelled and the failure is thrown.
    /// </summary>
    public Task<ChatCompletion> CompleteAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.N > 1 && !_transport.SupportsMultipleChoices
            ? CompleteFannedOutAsync(request, cancellationToken)
            : CompleteOneAsync(request, cancellationToken);
    }

    private async Task<ChatCompletion> CompleteFannedOutAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        using var siblings = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var parts = Enumerable.Range(0, request.N).Select(async i =>
        {
            try
            {
                return await CompleteOneAsync(request with { N = 1, Seed = request.Seed + i }, siblings.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await siblings.CancelAsync();
                throw;
            }
        }).ToList();
        try
        {
            await Task.WhenAll(parts);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            // A sibling failed and cancelled this one: report the sibling's failure, not the cancellation.
        }

        var failure = parts.Where(p => p.IsFaulted).Select(p => p.Exception!.InnerException!).FirstOrDefault();
        if (failure is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
        }

        cancellationToken.ThrowIfCancellationRequested();
        var results = parts.Select(p => p.Result).ToList();
        var choices = results.Select((r, i) => r.Choices[0] with { Index = i }).ToList();
        return new ChatCompletion(
            results[0].Id,
            results[0].Model,
            choices,
            new TokenUsage(results.Sum(r => r.Usage.PromptTokens), results.Sum(r => r.Usage.CompletionTokens)))
        {
            Attempts = results.Sum(r => r.Attempts),
            Requests = results.Count,
        };
    }

    private async Task<ChatCompletion> CompleteOneAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ThrowIfCircuitOpen();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _circuit.Token);
        var token = linked.Token;
        var reservation = ReserveTokens(request);
        string lastReason = "unknown";
        int? lastStatus = null;
        try
        {
            await _concurrency.WaitAsync(token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            ThrowIfCircuitOpen();
            throw;
        }

        try
        {
            for (var attempt = 1; ; attempt++)
            {
                TimeSpan? retryAfter = null;
                RateLimiter.Lease lease;
                try
                {
                    lease = await RateLimiter.AcquireAsync(reservation, token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    ThrowIfCircuitOpen();
                    throw;
                }

                Interlocked.Increment(ref _attempts);
                // Disposed when the attempt is over, however it ends: its slot then stays taken for one more window.
                using var attemptLease = lease;
                using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(token);
                attemptCts.CancelAfter(Options.RequestTimeout);
                try
                {
                    var result = await _transport.SendAsync(request, attemptCts.Token);
                    Interlocked.Exchange(ref _consecutiveConnectionFailures, 0);
                    var status = result.Status;
                    lastStatus = status;
                    if (result.IsSuccessStatus)
                    {
                        var completion = result.Completion;
                        if (completion is null)
                        {
                            // The server may have billed it: the reservation stays counted.
                            Interlocked.Increment(ref _unreadable);
                            lastReason = "unreadable_response";
                        }
                        else if (completion.Choices.Count == 0)
                        {
                            lastReason = "empty_choices";
                            lease.Reconcile(completion.Usage.TotalTokens);
                        }
                        else
                        {
                            lease.Reconcile(completion.Usage.TotalTokens > 0 ? completion.Usage.TotalTokens : lease.Tokens);
                            Interlocked.Increment(ref _succeeded);
                            Interlocked.Add(ref _promptTokens, completion.Usage.PromptTokens);
                            Interlocked.Add(ref _completionTokens, completion.Usage.CompletionTokens);
                            return completion with { Attempts = attempt };
                        }
                    }
                    else
                    {
                        // Nothing was generated: the request counts in the window but uses no completion tokens.
                        lease.Reconcile(0);
                        retryAfter = result.RetryAfter;
                        if (status is 401 or 403 or 404)
                        {
                            OpenCircuit(new ExternalServiceException(
                                "EHR-LLM-" + status.ToString(CultureInfo.InvariantCulture),
                                ServiceName,
                                string.Create(CultureInfo.InvariantCulture, $"{Options.Provider} endpoint {Options.Endpoint!.GetLeftPart(UriPartial.Authority)} answered HTTP {status} ({result.ReasonPhrase}). ") + FatalHint(status),
                                isTransient: false));
                            ThrowIfCircuitOpen();
                        }

                        if (status == 429)
                        {
                            Interlocked.Increment(ref _throttled);
                            lastReason = "http_429";
                        }
                        else if (status >= 500 || status is 408 or 409)
                        {
                            Interlocked.Increment(ref _serverErrors);
                            lastReason = "http_" + status.ToString(CultureInfo.InvariantCulture);
                        }
                        else
                        {
                            Interlocked.Increment(ref _failed);
                            throw new ChatRequestFailedException("http_" + status.ToString(CultureInfo.InvariantCulture), status, attempt,
                                string.Create(CultureInfo.InvariantCulture, $"the endpoint rejected the request with HTTP {status}; it is not retried."));
                        }
                    }
                }
                catch (OperationCanceledException) when (!token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _timeouts);
                    lastReason = "timeout";
                    lastStatus = null;
                }
                catch (HttpRequestException ex) when (!token.IsCancellationRequested)
                {
                    Interlocked.Increment(ref _connectionErrors);
                    lastReason = "connection_error";
                    lastStatus = null;
                    var failures = Interlocked.Increment(ref _consecutiveConnectionFailures);
                    if (failures >= Options.ConsecutiveConnectionFailureLimit)
                    {
                        OpenCircuit(new ExternalServiceException(
                            "EHR-LLM-DOWN",
                            ServiceName,
                            string.Create(CultureInfo.InvariantCulture, $"{failures} connection failures in a row to {Options.Endpoint!.GetLeftPart(UriPartial.Authority)} ({ex.HttpRequestError}). The endpoint looks down or unreachable; check EHRR1_LLM_ENDPOINT and the network, then rerun the same command to resume."),
                            isTransient: true,
                            ex));
                        ThrowIfCircuitOpen();
                    }
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    ThrowIfCircuitOpen();
                    throw;
                }

                // The attempt is over: start its last window now, not after the back-off.
                lease.Dispose();
                if (attempt > Options.MaxRetries)
                {
                    Interlocked.Increment(ref _failed);
                    throw new ChatRequestFailedException(
                        attempt == 1 ? lastReason : "retries_exhausted_" + lastReason,
                        lastStatus,
                        attempt,
                        string.Create(CultureInfo.InvariantCulture, $"the request failed {attempt} times; last failure: {lastReason}."));
                }

                Interlocked.Increment(ref _retries);
                var delay = Backoff(attempt, retryAfter);
                if (_logger.IsEnabled(LogLevel.Debug))
                {
                    _logger.LogDebug("LLM request attempt {Attempt} failed ({Reason}); retrying in {Delay} ms", attempt, lastReason, (long)delay.TotalMilliseconds);
                }
                try
                {
                    await Task.Delay(delay, TimeProvider, token);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    ThrowIfCircuitOpen();
                    throw;
                }
            }
        }
        finally
        {
            _concurrency.Release();
        }
    }

    /// <summary>Opens the circuit with <paramref name="error"/> (first error wins) and cancels all waiting calls.</summary>
    public void OpenCircuit(ExternalServiceException error)
    {
        if (Interlocked.CompareExchange(ref _circuitError, error, null) is null)
        {
            _logger.LogError("{Message}", error.Message);
            _circuit.Cancel();
        }
    }

    public void Dispose()
    {
        _circuit.Dispose();
        _concurrency.Dispose();
        if (_ownsLimiter)
        {
            RateLimiter.Dispose();
        }

        _transport.Dispose();
    }

    /// <summary>The request body as sent to <c>/chat/completions</c> (also used for Batch API lines).</summary>
    public byte[] SerializeRequest(ChatRequest request) => SerializeRequest(Options, request);

    /// <summary>The Chat Completions body for <paramref name="request"/> under <paramref name="options"/> (model, token field).</summary>
    public static byte[] SerializeRequest(ChatEndpointOptions options, ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            WriteRequestBody(w, request, request.Model ?? options.Model, options.UseMaxCompletionTokens);
        }

        return buffer.ToArray();
    }

    /// <summary>Writes the Chat Completions JSON body for <paramref name="request"/>.</summary>
    public static void WriteRequestBody(Utf8JsonWriter w, ChatRequest request, string model, bool useMaxCompletionTokens)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(request);
        w.WriteStartObject();
        w.WriteString("model", model);
        w.WriteStartArray("messages");
        foreach (var m in request.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role);
            w.WriteString("content", m.Content);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (request.N != 1)
        {
            w.WriteNumber("n", request.N);
        }

        if (request.Temperature is { } t)
        {
            w.WriteNumber("temperature", t);
        }

        if (request.TopP is { } p)
        {
            w.WriteNumber("top_p", p);
        }

        if (request.MaxTokens is { } mt)
        {
            w.WriteNumber(useMaxCompletionTokens ? "max_completion_tokens" : "max_tokens", mt);
        }

        if (request.TopLogprobs is { } k)
        {
            w.WriteBoolean("logprobs", true);
            w.WriteNumber("top_logprobs", k);
        }

        if (request.Seed is { } seed)
        {
            w.WriteNumber("seed", seed);
        }

        w.WriteEndObject();
    }

    /// <summary>Parses a Chat Completions response body; null when it is not a usable completion object.</summary>
    public static ChatCompletion? ParseCompletion(JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        var choices = new List<ChatChoice>();
        if (root.TryGetProperty("choices", out var ch) && ch.ValueKind == JsonValueKind.Array)
        {
            foreach (var c in ch.EnumerateArray())
            {
                var index = c.TryGetProperty("index", out var ix) && ix.ValueKind == JsonValueKind.Number ? ix.GetInt32() : choices.Count;
                string? content = null;
                if (c.TryGetProperty("message", out var msg) && msg.ValueKind == JsonValueKind.Object &&
                    msg.TryGetProperty("content", out var ct) && ct.ValueKind == JsonValueKind.String)
                {
                    content = ct.GetString();
                }

                var finish = c.TryGetProperty("finish_reason", out var fr) && fr.ValueKind == JsonValueKind.String ? fr.GetString() : null;
                var logprobs = new List<TokenLogprob>();
                if (c.TryGetProperty("logprobs", out var lp) && lp.ValueKind == JsonValueKind.Object &&
                    lp.TryGetProperty("content", out var lpc) && lpc.ValueKind == JsonValueKind.Array)
                {
                    foreach (var tok in lpc.EnumerateArray())
                    {
                        var tops = new List<TopLogprob>();
                        if (tok.TryGetProperty("top_logprobs", out var tl) && tl.ValueKind == JsonValueKind.Array)
                        {
                            foreach (var alt in tl.EnumerateArray())
                            {
                                tops.Add(new TopLogprob(alt.GetProperty("token").GetString() ?? string.Empty, alt.GetProperty("logprob").GetDouble()));
                            }
                        }

                        logprobs.Add(new TokenLogprob(tok.GetProperty("token").GetString() ?? string.Empty, tok.GetProperty("logprob").GetDouble(), tops));
                    }
                }

                if (content is not null)
                {
                    choices.Add(new ChatChoice(index, content, finish, logprobs));
                }
            }
        }
        else if (!root.TryGetProperty("object", out _) && !root.TryGetProperty("id", out _))
        {
            return null;
        }

        choices.Sort((a, b) => a.Index.CompareTo(b.Index));
        var usage = TokenUsage.Zero;
        if (root.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            usage = new TokenUsage(
                u.TryGetProperty("prompt_tokens", out var pt) && pt.ValueKind == JsonValueKind.Number ? pt.GetInt64() : 0,
                u.TryGetProperty("completion_tokens", out var ctk) && ctk.ValueKind == JsonValueKind.Number ? ctk.GetInt64() : 0);
        }

        return new ChatCompletion(
            root.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null,
            root.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String ? model.GetString() : null,
            choices,
            usage);
    }

    internal static TimeSpan? ReadRetryAfter(HttpResponseMessage response) =>
        RetryAfterHeader.Parse(name => response.Headers.TryGetValues(name, out var values) ? values.FirstOrDefault() : null);

    private static string FatalHint(int status) => status switch
    {
        401 => "The API key was refused: set EHRR1_LLM_API_KEY (or AZURE_OPENAI_API_KEY / OPENAI_API_KEY) to a valid key.",
        403 => "The key has no access to this model or resource: check the key, the model/deployment and the resource's network rules.",
        _ => "The URL or the model/deployment does not exist: check EHRR1_LLM_ENDPOINT (OpenAI-compatible: the base ending in /v1; Azure: the resource URL), EHRR1_LLM_MODEL and EHRR1_LLM_PROVIDER.",
    };

    private TimeSpan Backoff(int attempt, TimeSpan? retryAfter)
    {
        double factor;
        lock (_jitterGate)
        {
            factor = 0.5 + (_jitter.NextDouble() * 0.5);
        }

        var exp = Options.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempt - 1, 20));
        var backoff = TimeSpan.FromMilliseconds(Math.Min(exp, Options.MaxBackoff.TotalMilliseconds) * factor);
        if (retryAfter is { } ra)
        {
            // The server knows best; add a little jitter on top so that all waiting callers do not return at once.
            return ra + TimeSpan.FromMilliseconds(ra.TotalMilliseconds * 0.1 * (factor - 0.5));
        }

        return backoff;
    }

    private void ThrowIfCircuitOpen()
    {
        if (Volatile.Read(ref _circuitError) is { } error)
        {
            throw error;
        }
    }
}
