namespace EhrR1.Graph.Evaluation.Running;

/// <summary>Whether the prompt asks for thinking.</summary>
public enum ThinkingMode
{
    /// <summary>No switch appended (general models such as GPT-4o).</summary>
    None,

    /// <summary>Append <c>/think</c> to decision-task prompts (risk prompts always get <c>/no_think</c>).</summary>
    Think,

    /// <summary>Append <c>/no_think</c> to every prompt.</summary>
    NoThink,
}

/// <summary>What a request asks of the model.</summary>
public enum PredictionKind
{
    /// <summary>Generate an answer (greedy) of up to <see cref="PredictionRequest.MaxNewTokens"/> tokens.</summary>
    Generate,

    /// <summary>Risk task: the next-token probabilities of "yes" and "no" right after the prompt (thinking off).</summary>
    YesNo,
}

/// <summary>One prompt to run. The chat is system + user; <see cref="Thinking"/> says how the chat template must be set.</summary>
public sealed record PredictionRequest(
    string SampleId,
    string Task,
    PredictionKind Kind,
    string SystemPrompt,
    string UserPrompt,
    int MaxNewTokens,
    ThinkingMode Thinking);

/// <summary>What the model answered. <see cref="PYes"/> = softmax over the yes/no log-probabilities, when available.</summary>
public sealed record PredictionOutcome
{
    public required string SampleId { get; init; }

    public required string Text { get; init; }

    public double? LogProbYes { get; init; }

    public double? LogProbNo { get; init; }

    public double? PYes { get; init; }

    public string? ProbabilitySource { get; init; }

    public int? PromptTokens { get; init; }

    public int? CompletionTokens { get; init; }

    public string? FinishReason { get; init; }

    /// <summary>Set when this sample failed for good (no text: a reason code only); the sample stays pending.</summary>
    public string? Error { get; init; }
}

/// <summary>
/// A model under evaluation: a local TorchSharp checkpoint (composed in the CLI) or an OpenAI-compatible endpoint.
/// The runner hands it batches of at most <see cref="MaxBatchSize"/> requests of one <see cref="PredictionKind"/>,
/// with up to <see cref="MaxConcurrentBatches"/> batches in flight; it returns one outcome per request, in any order.
/// </summary>
public interface IEhrBenchPredictor : IAsyncDisposable
{
    /// <summary>A description recorded in the result (model name, checkpoint folder name, endpoint model).</summary>
    string Description { get; }

    int MaxBatchSize { get; }

    int MaxConcurrentBatches { get; }

    Task<IReadOnlyList<PredictionOutcome>> PredictAsync(IReadOnlyList<PredictionRequest> batch, CancellationToken cancellationToken);
}

/// <summary>P(yes) from the two log-probabilities: softmax over {yes, no}.</summary>
public static class YesNoProbability
{
    public static double FromLogProbs(double logProbYes, double logProbNo)
    {
        var m = Math.Max(logProbYes, logProbNo);
        var y = Math.Exp(logProbYes - m);
        var n = Math.Exp(logProbNo - m);
        return y / (y + n);
    }
}
