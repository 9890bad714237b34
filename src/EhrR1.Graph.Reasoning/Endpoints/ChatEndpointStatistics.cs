namespace EhrR1.Graph.Reasoning.Endpoints;

/// <summary>Counters of a <see cref="ChatEndpointClient"/> since it was created.</summary>
public sealed record ChatEndpointStatistics(
    long Attempts,
    long Succeeded,
    long Failed,
    long Retries,
    long Throttled,
    long ServerErrors,
    long Timeouts,
    long ConnectionErrors,
    long UnreadableResponses,
    long PromptTokens,
    long CompletionTokens);
