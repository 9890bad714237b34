using System.ClientModel;
using System.Text.Json;
using Microsoft.Extensions.AI;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// A transport over any Microsoft.Extensions.AI <see cref="IChatClient"/>: the Azure.AI.OpenAI / OpenAI SDK
/// clients built by <see cref="SdkChatClients"/>, or any other M.E.AI provider a user plugs in. One choice per
/// request (<see cref="SupportsMultipleChoices"/> is false: M.E.AI and the OpenAI SDK expose one choice), so
/// <see cref="ChatEndpointClient"/> sends n requests for n completions.
/// </summary>
/// <remarks>
/// Errors are mapped to the shared policy: an SDK <see cref="ClientResultException"/> with a response becomes its
/// HTTP status and <c>Retry-After</c> (read from the raw response headers); one without a response is a connection
/// error; a body the SDK cannot read (truncated JSON, no choices) is an unusable answer that the policy retries.
/// The wrapped client must not retry by itself (the SDK clients from <see cref="SdkChatClients"/> have their retry
/// policy set to none), or the limiter and the retry count would be wrong.
/// </remarks>
public sealed class ChatClientTransport : IChatTransport
{
    private readonly IChatClient _client;
    private readonly IDisposable? _alsoOwned;

    /// <param name="client">The chat client; disposed with this transport.</param>
    /// <param name="rawOptionsFactory">
    /// Optional provider-specific options object per request (M.E.AI <see cref="ChatOptions.RawRepresentationFactory"/>),
    /// e.g. OpenAI <c>ChatCompletionOptions</c> carrying logprobs or the <c>max_tokens</c> field.
    /// </param>
    /// <param name="alsoOwned">Something else to dispose with the transport (e.g. the HttpClient the SDK uses).</param>
    /// <param name="name">Name in logs and manifests.</param>
    public ChatClientTransport(IChatClient client, Func<ChatRequest, object?>? rawOptionsFactory = null, IDisposable? alsoOwned = null, string name = "sdk")
    {
        ArgumentNullException.ThrowIfNull(client);
        _client = client;
        RawOptionsFactory = rawOptionsFactory;
        _alsoOwned = alsoOwned;
        Name = name;
    }

    public string Name { get; }

    public bool SupportsMultipleChoices => false;

    /// <summary>Provider-specific options per request (see the constructor).</summary>
    public Func<ChatRequest, object?>? RawOptionsFactory { get; }

    /// <summary>Set by <see cref="SdkChatClients"/> when the token limit travels in the raw options instead of <see cref="ChatOptions.MaxOutputTokens"/>.</summary>
    internal bool MaxTokensInRawOptions { get; init; }

    public async Task<ChatAttemptResult> SendAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.N > 1)
        {
            throw new ArgumentException("this transport returns one choice per request; ChatEndpointClient sends n requests instead", nameof(request));
        }

        var messages = request.Messages.Select(m => new AiChatMessage(new ChatRole(m.Role), m.Content)).ToList();
        var options = new ChatOptions
        {
            Temperature = (float?)request.Temperature,
            TopP = (float?)request.TopP,
            Seed = request.Seed,
            MaxOutputTokens = MaxTokensInRawOptions ? null : request.MaxTokens,
            ModelId = request.Model,
        };
        if (RawOptionsFactory is { } factory)
        {
            options.RawRepresentationFactory = _ => factory(request);
        }

        ChatResponse response;
        try
        {
            response = await _client.GetResponseAsync(messages, options, cancellationToken);
        }
        catch (ClientResultException ex) when (!cancellationToken.IsCancellationRequested)
        {
            var raw = ex.GetRawResponse();
            if (raw is null || ex.Status == 0)
            {
                // No answer at all: the SDK wraps the HttpClient failure.
                throw ex.InnerException as HttpRequestException ?? new HttpRequestException(HttpRequestError.ConnectionError, ex.Message, ex);
            }

            if (raw.Status is >= 200 and < 300)
            {
                return ChatAttemptResult.Success(raw.Status, null);
            }

            return ChatAttemptResult.Error(raw.Status, raw.ReasonPhrase, RetryAfterHeader.Parse(h => raw.Headers.TryGetValue(h, out var v) ? v : null));
        }
        catch (Exception ex) when (ex is not OperationCanceledException && cancellationToken.IsCancellationRequested)
        {
            // Our per-attempt timeout (or the caller) cancelled while the SDK was buffering the body; the HTTP stack
            // can surface that as another exception type. It is a cancellation for the policy.
            throw new OperationCanceledException("the request was cancelled while the SDK read the answer", ex, cancellationToken);
        }
        catch (Exception ex) when (IsUnreadableBody(ex))
        {
            // The answer came (2xx) but the SDK could not turn it into a response: truncated or malformed JSON,
            // or a completion without choices (the SDK reads the first choice unconditionally).
            return ChatAttemptResult.Success(200, IsNoChoice(ex) ? new ChatCompletion(null, null, [], TokenUsage.Zero) : null);
        }

        return ChatAttemptResult.Success(200, ToCompletion(response, request.TopLogprobs is > 0));
    }

    public void Dispose()
    {
        _client.Dispose();
        _alsoOwned?.Dispose();
    }

    /// <summary>Maps an M.E.AI response (one choice) to our <see cref="ChatCompletion"/>; no text = no choice.</summary>
    internal static ChatCompletion ToCompletion(ChatResponse response, bool withLogprobs)
    {
        var hasText = response.Messages.Any(m => m.Contents.OfType<TextContent>().Any());
        var choices = new List<ChatChoice>(1);
        if (hasText)
        {
            choices.Add(new ChatChoice(0, response.Text, response.FinishReason?.Value, withLogprobs ? Logprobs(response.RawRepresentation) : []));
        }

        var usage = response.Usage is { } u ? new TokenUsage(u.InputTokenCount ?? 0, u.OutputTokenCount ?? 0) : TokenUsage.Zero;
        return new ChatCompletion(response.ResponseId, response.ModelId, choices, usage);
    }

    private static List<TokenLogprob> Logprobs(object? raw)
    {
        // Only the OpenAI SDK's ChatCompletion carries token log probabilities; other providers give none.
        if (raw is not OpenAI.Chat.ChatCompletion completion)
        {
            return [];
        }

        return completion.ContentTokenLogProbabilities
            .Select(t => new TokenLogprob(t.Token, t.LogProbability, t.TopLogProbabilities.Select(a => new TopLogprob(a.Token, a.LogProbability)).ToList()))
            .ToList();
    }

    private static bool IsUnreadableBody(Exception ex) =>
        ex is JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException or IndexOutOfRangeException or IOException
        && ex is not OperationCanceledException and not HttpRequestException;

    private static bool IsNoChoice(Exception ex) => ex is ArgumentOutOfRangeException or IndexOutOfRangeException;
}
