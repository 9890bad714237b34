using EhrR1.Graph.Evaluation.Bench;

namespace EhrR1.Graph.Evaluation.Running;

/// <summary>
/// The evaluation prompt, as in training: system "You are a helpful assistant.", user = input + "\n" + instruction,
/// then (optionally) the candidate list, then the thinking switch: "\n/think" (reasoning mode, as in the stage-2 SFT data)
/// or "/no_think" (as in the EHR-Ins non-reasoning records). Risk tasks never think: they get "/no_think" unless the
/// mode is <see cref="ThinkingMode.None"/>.
/// </summary>
public static class EhrBenchPrompt
{
    public const string SystemPrompt = "You are a helpful assistant.";

    public static PredictionRequest Build(BenchSample sample, PromptSettings settings)
    {
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(settings);
        var risk = sample.Family == TaskFamily.RiskPrediction;
        var user = sample.Input + "\n" + sample.Instruction;
        if (settings.CandidatesInPrompt && sample.Candidates.Count > 0)
        {
            user += risk
                ? "\nCandidate List: " + string.Join(", ", sample.Candidates) + "\nAnswer with exactly one candidate: yes or no."
                : "\nCandidate List: " + string.Join("\n", sample.Candidates) +
                  "\nAnswer with the predicted items only, one per line, using the item names (not codes) as written in the candidate list.";
        }

        var mode = settings.Thinking;
        if (risk && mode == ThinkingMode.Think)
        {
            mode = ThinkingMode.NoThink;
        }

        user += mode switch
        {
            ThinkingMode.Think => "\n/think",
            ThinkingMode.NoThink => "/no_think",
            _ => string.Empty,
        };

        var kind = risk && settings.RiskFromProbabilities ? PredictionKind.YesNo : PredictionKind.Generate;
        var maxTokens = kind == PredictionKind.YesNo
            ? 1
            : mode == ThinkingMode.Think ? settings.MaxNewTokensThinking : settings.MaxNewTokens;
        return new PredictionRequest(sample.SampleId, sample.Task, kind, SystemPrompt, user, maxTokens, mode);
    }
}

/// <summary>Prompt options.</summary>
public sealed record PromptSettings
{
    public ThinkingMode Thinking { get; init; } = ThinkingMode.NoThink;

    /// <summary>Generation limit without thinking (upstream direct-answer: 128).</summary>
    public int MaxNewTokens { get; init; } = 128;

    /// <summary>Generation limit with thinking (upstream: 4096).</summary>
    public int MaxNewTokensThinking { get; init; } = 4096;

    /// <summary>Append the candidate list and a format note (for general models such as GPT-4o; upstream <c>--prompt</c>).</summary>
    public bool CandidatesInPrompt { get; init; }

    /// <summary>Risk tasks read P(yes) from next-token probabilities (true) or generate an answer (false).</summary>
    public bool RiskFromProbabilities { get; init; } = true;
}
