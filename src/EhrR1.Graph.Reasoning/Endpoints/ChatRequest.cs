namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>
/// One Chat Completions request, independent of provider. <see cref="TopLogprobs"/> &gt; 0 asks for
/// <c>logprobs: true</c> and that many alternatives per generated token (OpenAI allows 0–20).
/// </summary>
public sealed record ChatRequest
{
    public required IReadOnlyList<ChatMessage> Messages { get; init; }

    /// <summary>Completions per request (<c>n</c>).</summary>
    public int N { get; init; } = 1;

    public double? Temperature { get; init; }

    public double? TopP { get; init; }

    /// <summary>Upper bound of generated tokens per completion; also used for the TPM estimate.</summary>
    public int? MaxTokens { get; init; }

    /// <summary>When set, <c>logprobs: true</c> and <c>top_logprobs</c> are sent.</summary>
    public int? TopLogprobs { get; init; }

    public long? Seed { get; init; }

    /// <summary>Overrides <see cref="ChatEndpointOptions.Model"/> for this request (OpenAI provider only).</summary>
    public string? Model { get; init; }
}
