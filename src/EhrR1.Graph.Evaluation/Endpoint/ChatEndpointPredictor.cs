using EhrR1.Graph.Evaluation.Running;
using EhrR1.Graph.Reasoning.Endpoints;

namespace EhrR1.Graph.Evaluation.Endpoint;

/// <summary>Evaluation-specific request settings for an endpoint model.</summary>
public sealed record EndpointPredictorSettings
{
    /// <summary>Alternatives per position for risk tasks (OpenAI allows at most 20).</summary>
    public int TopLogprobs { get; init; } = 20;

    /// <summary>
    /// Tokens generated for a risk task. 1 reads the first token (general models, or a server that puts the empty think
    /// block in the prompt); a thinking model that opens with <c>&lt;think&gt;&lt;/think&gt;</c> needs about 8, and
    /// P(yes) is then read at the first position after <c>&lt;/think&gt;</c>.
    /// </summary>
    public int RiskMaxTokens { get; init; } = 1;

    /// <summary>Sent as <c>seed</c> where the server supports it.</summary>
    public long? Seed { get; init; } = 42;

    public IEnumerable<string> Validate()
    {
        if (TopLogprobs is < 1 or > 20)
        {
            yield return $"--top-logprobs must be between 1 and 20; got {TopLogprobs}.";
        }

        if (RiskMaxTokens is < 1 or > 64)
        {
            yield return $"--risk-max-tokens must be between 1 and 64; got {RiskMaxTokens}.";
        }
    }
}

/// <summary>
/// Evaluates a model behind an OpenAI-compatible chat-completions API (vLLM serving EHR-R1, OpenAI) or an Azure OpenAI
/// deployment (GPT-4o), through the reasoning stage's <see cref="ChatEndpointClient"/>: the same bounded concurrency,
/// RPM/TPM limiter, retries with back-off (Retry-After honoured) and circuit breaker. Greedy decoding (temperature 0).
/// A request that fails for good (<see cref="ChatRequestFailedException"/>) becomes a failed outcome, so the sample stays
/// pending for the next run; an open circuit (<c>ExternalServiceException</c>) stops the run (exit code 2).
/// </summary>
public sealed class ChatEndpointPredictor(ChatEndpointClient client, EndpointPredictorSettings settings, bool ownsClient = true) : IEhrBenchPredictor
{
    public string Description => client.Options.Model;

    public int MaxBatchSize => 1;

    public int MaxConcurrentBatches => client.Options.MaxConcurrency;

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
        if (ownsClient)
        {
            client.Dispose();
        }

        return ValueTask.CompletedTask;
    }

    internal ChatRequest ToChatRequest(PredictionRequest request)
    {
        var yesNo = request.Kind == PredictionKind.YesNo;
        return new ChatRequest
        {
            Messages = [ChatMessage.System(request.SystemPrompt), ChatMessage.User(request.UserPrompt)],
            Temperature = 0,
            MaxTokens = yesNo ? settings.RiskMaxTokens : request.MaxNewTokens,
            TopLogprobs = yesNo ? settings.TopLogprobs : null,
            Seed = settings.Seed,
        };
    }

    private async Task<PredictionOutcome> PredictOneAsync(PredictionRequest request, CancellationToken cancellationToken)
    {
        ChatCompletion completion;
        try
        {
            completion = await client.CompleteAsync(ToChatRequest(request), cancellationToken);
        }
        catch (ChatRequestFailedException ex)
        {
            return new PredictionOutcome { SampleId = request.SampleId, Text = string.Empty, Error = ex.Reason };
        }

        if (completion.Choices.Count == 0)
        {
            return new PredictionOutcome { SampleId = request.SampleId, Text = string.Empty, Error = "empty_choices" };
        }

        var choice = completion.Choices[0];
        var (lpYes, lpNo, pYes, source) = request.Kind == PredictionKind.YesNo ? LogprobReader.Read(choice.Logprobs) : (null, null, null, null);
        return new PredictionOutcome
        {
            SampleId = request.SampleId,
            Text = choice.Content,
            LogProbYes = lpYes,
            LogProbNo = lpNo,
            PYes = pYes,
            ProbabilitySource = source,
            FinishReason = choice.FinishReason,
            PromptTokens = completion.Usage.PromptTokens > 0 ? (int)completion.Usage.PromptTokens : null,
            CompletionTokens = completion.Usage.CompletionTokens > 0 ? (int)completion.Usage.CompletionTokens : null,
        };
    }
}
