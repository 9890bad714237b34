using System.Text.Json.Serialization;

namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>The parsed response of one Chat Completions request.</summary>
public sealed record ChatCompletion(
    string? Id,
    string? Model,
    IReadOnlyList<ChatChoice> Choices,
    TokenUsage Usage)
{
    /// <summary>Attempts used to obtain this response (1 = first try; summed over <see cref="Requests"/>).</summary>
    public int Attempts { get; init; } = 1;

    /// <summary>
    /// API requests that produced <see cref="Choices"/>: 1, or n when the transport returns one choice per request
    /// (then <see cref="Usage"/> counts the prompt n times, as it is billed).
    /// </summary>
    public int Requests { get; init; } = 1;
}

/// <summary>One generated completion; <see cref="Logprobs"/> is empty unless requested.</summary>
public sealed record ChatChoice(
    int Index,
    string Content,
    string? FinishReason,
    IReadOnlyList<TokenLogprob> Logprobs);

/// <summary>A generated token with its log probability and the requested top alternatives.</summary>
public sealed record TokenLogprob(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] double Logprob,
    [property: JsonPropertyName("top_logprobs")] IReadOnlyList<TopLogprob> TopLogprobs);

/// <summary>One alternative token at a position.</summary>
public sealed record TopLogprob(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] double Logprob);

/// <summary>Token usage reported by the endpoint.</summary>
public sealed record TokenUsage(
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens)
{
    public static readonly TokenUsage Zero = new(0, 0);

    [JsonIgnore]
    public long TotalTokens => PromptTokens + CompletionTokens;
}
