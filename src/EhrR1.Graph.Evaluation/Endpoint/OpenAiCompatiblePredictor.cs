using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Evaluation.Running;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Evaluation.Endpoint;

/// <summary>
/// Evaluates a model served behind an OpenAI-compatible chat-completions API (vLLM serving EHR-R1, OpenAI) or an Azure
/// OpenAI deployment (GPT-4o). A thin client over <see cref="HttpClient"/>: greedy decoding (temperature 0), one request
/// per sample with <see cref="EndpointSettings.Concurrency"/> in flight, retries with exponential back-off and jitter on
/// 429/408/5xx/timeouts/unreadable responses (honouring Retry-After), and a circuit that stops the run when the
/// endpoint is down or refuses the key. Risk requests ask for one token with top log-probabilities
/// (see <see cref="LogprobReader"/>).
/// </summary>
public sealed class OpenAiCompatiblePredictor : IEhrBenchPredictor
{
    private readonly EndpointSettings _settings;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;
    private readonly ILogger _logger;
    private readonly Uri _url;
    private int _consecutiveFailures;

    public OpenAiCompatiblePredictor(EndpointSettings settings, ILogger<OpenAiCompatiblePredictor> logger, HttpClient? http = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        _settings = settings;
        _logger = logger;
        _ownsHttp = http is null;
        _http = http ?? new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionLifetime = TimeSpan.FromMinutes(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var b = settings.BaseUrl.ToString().TrimEnd('/');
        _url = settings.IsAzure
            ? new Uri(b + "/openai/deployments/" + Uri.EscapeDataString(settings.Model) + "/chat/completions?api-version=" + Uri.EscapeDataString(settings.AzureApiVersion!))
            : new Uri(b + "/chat/completions");
    }

    public string Description => _settings.Model;

    public int MaxBatchSize => 1;

    public int MaxConcurrentBatches => _settings.Concurrency;

    public async Task<IReadOnlyList<PredictionOutcome>> PredictAsync(IReadOnlyList<PredictionRequest> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var results = new PredictionOutcome[batch.Count];
        for (var i = 0; i < batch.Count; i++)
        {
            results[i] = await PredictOneAsync(batch[i], cancellationToken);
        }

        return results;
    }

    public ValueTask DisposeAsync()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    internal JsonObject BuildBody(PredictionRequest request)
    {
        var body = new JsonObject
        {
            ["messages"] = new JsonArray(
                new JsonObject { ["role"] = "system", ["content"] = request.SystemPrompt },
                new JsonObject { ["role"] = "user", ["content"] = request.UserPrompt }),
            ["temperature"] = 0,
            ["max_tokens"] = request.MaxNewTokens,
        };
        if (!_settings.IsAzure)
        {
            body["model"] = _settings.Model;
        }

        if (_settings.Seed is { } seed)
        {
            body["seed"] = seed;
        }

        if (request.Kind == PredictionKind.YesNo)
        {
            body["logprobs"] = true;
            body["top_logprobs"] = _settings.TopLogprobs;
        }

        if (_settings.SendThinkingTemplateSwitch && request.Thinking != ThinkingMode.None)
        {
            body["chat_template_kwargs"] = new JsonObject { ["enable_thinking"] = request.Thinking == ThinkingMode.Think };
        }

        return body;
    }

    private async Task<PredictionOutcome> PredictOneAsync(PredictionRequest request, CancellationToken cancellationToken)
    {
        var payload = BuildBody(request).ToJsonString();
        string lastReason = "unknown";
        for (var attempt = 1; attempt <= _settings.MaxAttempts; attempt++)
        {
            TimeSpan? retryAfter = null;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(_settings.RequestTimeout);
            try
            {
                using var message = new HttpRequestMessage(HttpMethod.Post, _url)
                {
                    Content = new StringContent(payload, Encoding.UTF8, "application/json"),
                };
                if (!string.IsNullOrEmpty(_settings.ApiKey))
                {
                    if (_settings.IsAzure)
                    {
                        message.Headers.Add("api-key", _settings.ApiKey);
                    }
                    else
                    {
                        message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _settings.ApiKey);
                    }
                }

                using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseContentRead, timeout.Token);
                var status = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    var text = await response.Content.ReadAsStringAsync(timeout.Token);
                    if (TryParse(request, text, out var outcome, out var parseProblem))
                    {
                        Interlocked.Exchange(ref _consecutiveFailures, 0);
                        return outcome;
                    }

                    lastReason = parseProblem;
                }
                else if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.NotFound)
                {
                    throw new ExternalServiceException(
                        "EHR-EV-030",
                        "LLM endpoint",
                        string.Create(CultureInfo.InvariantCulture, $"{_url.GetLeftPart(UriPartial.Path)} answered HTTP {status}. Check the URL, the model or deployment name, and the API key environment variable."),
                        isTransient: false);
                }
                else if (status is 429 or 408 or 409 || status >= 500)
                {
                    lastReason = "http_" + status.ToString(CultureInfo.InvariantCulture);
                    retryAfter = RetryAfter(response);
                }
                else
                {
                    // 400, 413, 422...: this request cannot succeed (e.g. the prompt exceeds the context); not retried
                    Interlocked.Exchange(ref _consecutiveFailures, 0);
                    return Failed(request, "http_" + status.ToString(CultureInfo.InvariantCulture));
                }
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                lastReason = "timeout";
            }
            catch (HttpRequestException ex)
            {
                lastReason = "connection_" + (ex.HttpRequestError.ToString().ToLowerInvariant());
            }

            if (attempt == _settings.MaxAttempts)
            {
                break;
            }

            var delay = retryAfter ?? Backoff(attempt);
            LogMessages.EndpointRetry(_logger, request.SampleId, attempt, lastReason, (long)delay.TotalMilliseconds);
            await Task.Delay(delay, cancellationToken);
        }

        if (Interlocked.Increment(ref _consecutiveFailures) >= _settings.CircuitBreakAfter)
        {
            throw new ExternalServiceException(
                "EHR-EV-031",
                "LLM endpoint",
                string.Create(CultureInfo.InvariantCulture, $"{_settings.CircuitBreakAfter} samples in a row failed after {_settings.MaxAttempts} attempts each (last: {lastReason}); the endpoint looks down. Predictions made so far are kept; run the same command again to resume."),
                isTransient: true);
        }

        return Failed(request, "retries_exhausted_" + lastReason);
    }

    private static PredictionOutcome Failed(PredictionRequest request, string reason) =>
        new() { SampleId = request.SampleId, Text = string.Empty, Error = reason };

    private TimeSpan Backoff(int attempt)
    {
        var baseMs = _settings.InitialBackoff.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var capped = Math.Min(baseMs, _settings.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped * (0.5 + (0.5 * Random.Shared.NextDouble())));
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        var h = response.Headers.RetryAfter;
        TimeSpan? value = h?.Delta ?? (h?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
        if (value is null)
        {
            return null;
        }

        var v = value.Value < TimeSpan.Zero ? TimeSpan.Zero : value.Value;
        return v > _settings.MaxBackoff ? _settings.MaxBackoff : v;
    }

    private static bool TryParse(PredictionRequest request, string text, out PredictionOutcome outcome, out string problem)
    {
        outcome = null!;
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            problem = "unreadable_json";
            return false;
        }

        if (root?["choices"] is not JsonArray { Count: > 0 } choices || choices[0] is not JsonObject choice)
        {
            problem = "no_choices";
            return false;
        }

        try
        {
            var content = choice["message"]?["content"]?.GetValue<string>() ?? string.Empty;
            var (lpYes, lpNo, pYes, source) = request.Kind == PredictionKind.YesNo ? LogprobReader.Read(choice["logprobs"]) : (null, null, null, null);
            outcome = new PredictionOutcome
            {
                SampleId = request.SampleId,
                Text = content,
                LogProbYes = lpYes,
                LogProbNo = lpNo,
                PYes = pYes,
                ProbabilitySource = source,
                FinishReason = choice["finish_reason"]?.GetValue<string>(),
                PromptTokens = root["usage"]?["prompt_tokens"]?.GetValue<int>(),
                CompletionTokens = root["usage"]?["completion_tokens"]?.GetValue<int>(),
            };
            problem = string.Empty;
            return true;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException)
        {
            problem = "unexpected_response_shape";
            return false;
        }
    }
}
