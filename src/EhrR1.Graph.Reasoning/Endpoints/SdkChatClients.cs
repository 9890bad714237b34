using System.ClientModel;
using System.ClientModel.Primitives;
using System.Globalization;
using Azure.AI.OpenAI;
using Azure.AI.OpenAI.Chat;
using EhrR1.Graph.Core.Errors;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// Builds the official SDK clients for <see cref="ChatClientKind.Sdk"/>: Azure.AI.OpenAI <see cref="AzureOpenAIClient"/>
/// for <see cref="LlmProvider.Azure"/>, OpenAI <see cref="OpenAIClient"/> with a custom endpoint for any
/// OpenAI-compatible server, both exposed as a Microsoft.Extensions.AI <see cref="IChatClient"/> (<c>AsIChatClient()</c>).
/// The SDK pipeline is set up so that <see cref="ChatEndpointClient"/> stays the only policy: retry policy with
/// 0 retries, a network timeout above our per-attempt timeout (which fires first), and our
/// <see cref="HttpClient"/> (connection limit = concurrency) as the pipeline transport. The key comes only from
/// <see cref="ChatEndpointOptions.ApiKey"/> (environment); no SDK logging is enabled, so it is never logged.
/// </summary>
public static class SdkChatClients
{
    /// <summary>Sent when no key is configured (e.g. a local server without auth): the SDKs require a non-empty key.</summary>
    public const string NoKeyPlaceholder = "no-key";

    /// <summary>The M.E.AI chat client for <paramref name="options"/> (provider, endpoint, model/deployment, api-version).</summary>
    public static IChatClient CreateChatClient(ChatEndpointOptions options, HttpClient httpClient)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(httpClient);
        var endpoint = options.Endpoint ?? throw new StageConfigurationException("no LLM endpoint is configured: set EHRR1_LLM_ENDPOINT (or pass --endpoint).");
        var key = new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? NoKeyPlaceholder : options.ApiKey);
        ChatClient chat;
        if (options.Provider == LlmProvider.Azure)
        {
            var azure = Configure(new AzureOpenAIClientOptions(AzureServiceVersion(options.AzureApiVersion)), options, httpClient);
            chat = new AzureOpenAIClient(endpoint, key, azure).GetChatClient(options.Model);
        }
        else
        {
            var openAi = Configure(new OpenAIClientOptions { Endpoint = endpoint }, options, httpClient);
            chat = new OpenAIClient(key, openAi).GetChatClient(options.Model);
        }

        return chat.AsIChatClient();
    }

    /// <summary>The transport used by <see cref="ChatEndpointClient"/> for <see cref="ChatClientKind.Sdk"/>.</summary>
    public static ChatClientTransport CreateTransport(ChatEndpointOptions options, HttpClient? httpClient = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var ownedHttp = httpClient is null ? ChatEndpointClient.CreateHttpClient(options.MaxConcurrency) : null;
        var client = CreateChatClient(options, httpClient ?? ownedHttp!);
        var azure = options.Provider == LlmProvider.Azure;
        return new ChatClientTransport(client, request => RawOptions(request, azure, options.UseMaxCompletionTokens), ownedHttp)
        {
            MaxTokensInRawOptions = true,
        };
    }

    /// <summary>Maps an api-version string (<c>2024-10-21</c>, <c>2025-04-01-preview</c>) to the SDK's service version.</summary>
    public static AzureOpenAIClientOptions.ServiceVersion AzureServiceVersion(string apiVersion)
    {
        ArgumentNullException.ThrowIfNull(apiVersion);
        var name = "V" + apiVersion.Trim().Replace("-preview", "_Preview", StringComparison.OrdinalIgnoreCase).Replace('-', '_');
        if (Enum.TryParse<AzureOpenAIClientOptions.ServiceVersion>(name, ignoreCase: true, out var version) && Enum.IsDefined(version))
        {
            return version;
        }

        var known = string.Join(", ", Enum.GetNames<AzureOpenAIClientOptions.ServiceVersion>().Select(n => n[1..].Replace("_Preview", "-preview", StringComparison.Ordinal).Replace('_', '-')));
        throw new StageConfigurationException(string.Create(CultureInfo.InvariantCulture,
            $"the Azure SDK client does not know api-version '{apiVersion}'; use one of {known} (--api-version / EHRR1_LLM_API_VERSION), or --client http which sends any version."));
    }

    private static T Configure<T>(T sdk, ChatEndpointOptions options, HttpClient httpClient)
        where T : ClientPipelineOptions
    {
        sdk.RetryPolicy = new ClientRetryPolicy(maxRetries: 0);
        sdk.NetworkTimeout = options.RequestTimeout + TimeSpan.FromSeconds(30);
        sdk.Transport = new HttpClientPipelineTransport(httpClient);
        return sdk;
    }

#pragma warning disable SCME0001, AOAI001 // JsonPatch and the Azure max_completion_tokens switch are marked experimental by the SDKs.
    private static ChatCompletionOptions RawOptions(ChatRequest request, bool azure, bool useMaxCompletionTokens)
    {
        var raw = new ChatCompletionOptions();
        if (request.TopLogprobs is { } k and > 0)
        {
            raw.IncludeLogProbabilities = true;
            raw.TopLogProbabilityCount = k;
        }

        // The token limit field: our default is max_tokens (what most OpenAI-compatible servers and older models
        // take); --max-completion-tokens-field asks for max_completion_tokens.
        if (azure)
        {
            // Azure.AI.OpenAI writes MaxOutputTokenCount as max_completion_tokens unless switched back to max_tokens.
            raw.MaxOutputTokenCount = request.MaxTokens;
            raw.SetNewMaxCompletionTokensPropertyEnabled(useMaxCompletionTokens);
        }
        else if (request.MaxTokens is { } max)
        {
            // The OpenAI SDK always writes MaxOutputTokenCount as max_completion_tokens: max_tokens goes in the JSON patch.
            if (useMaxCompletionTokens)
            {
                raw.MaxOutputTokenCount = max;
            }
            else
            {
                raw.Patch.Set("$.max_tokens"u8, max);
            }
        }

        return raw;
    }
#pragma warning restore SCME0001, AOAI001
}
