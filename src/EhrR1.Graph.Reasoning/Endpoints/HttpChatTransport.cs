using System.Net.Http.Headers;
using System.Text.Json;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// The default transport: Chat Completions over our own <see cref="HttpClient"/> (System.Text.Json request
/// writer and response parser of <see cref="ChatEndpointClient"/>). Every header is under our control, one request
/// returns all <c>n</c> choices, and the body is byte-identical to the Batch API lines.
/// </summary>
public sealed class HttpChatTransport : IChatTransport
{
    private readonly ChatEndpointOptions _options;
    private readonly HttpClient _http;
    private readonly bool _ownsHttp;

    /// <param name="options">Endpoint, provider, model and token field.</param>
    /// <param name="httpClient">Shared client; when null one is created (and disposed) with a connection limit of <see cref="ChatEndpointOptions.MaxConcurrency"/>.</param>
    public HttpChatTransport(ChatEndpointOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _ownsHttp = httpClient is null;
        _http = httpClient ?? ChatEndpointClient.CreateHttpClient(options.MaxConcurrency);
    }

    public string Name => "http";

    public bool SupportsMultipleChoices => true;

    public async Task<ChatAttemptResult> SendAsync(ChatRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var message = new HttpRequestMessage(HttpMethod.Post, _options.ChatCompletionsUri(request.Model))
        {
            Content = new ByteArrayContent(ChatEndpointClient.SerializeRequest(_options, request)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        _options.Authorize(message);
        using var response = await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
        var status = (int)response.StatusCode;
        if (response.IsSuccessStatusCode)
        {
            return ChatAttemptResult.Success(status, await ReadCompletionAsync(response, cancellationToken));
        }

        var retryAfter = ChatEndpointClient.ReadRetryAfter(response);
        await DrainAsync(response, cancellationToken);
        return ChatAttemptResult.Error(status, response.ReasonPhrase, retryAfter);
    }

    public void Dispose()
    {
        if (_ownsHttp)
        {
            _http.Dispose();
        }
    }

    private static async Task<ChatCompletion?> ReadCompletionAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            using var doc = await JsonDocument.ParseAsync(stream, default, cancellationToken);
            return ChatEndpointClient.ParseCompletion(doc.RootElement);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or KeyNotFoundException or HttpRequestException or IOException)
        {
            // Unparseable JSON, a missing field, or a connection that broke while the body streamed (a truncated body).
            return null;
        }
    }

    private static async Task DrainAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await response.Content.ReadAsByteArrayAsync(cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
        }
    }
}
