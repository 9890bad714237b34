using EhrR1.Graph.Training.Generation;
using EhrR1.Graph.Training.Model;

namespace EhrR1.Graph.Training.Grpo;

/// <summary>
/// One RL prompt: the user message (EHR + instruction, without the thinking switch) and its gold answer.
/// <see cref="Think"/>: decision tasks end "\n/think", risk tasks "\n/no_think" (upstream).
/// </summary>
public sealed record GrpoPrompt(string SampleId, string Task, string User, RewardTarget Target, bool Think);

/// <summary>
/// Settings of <c>ehr-graph train grpo</c>. Defaults: upstream's <c>grpo.sh</c> where it sets a value (G = 16,
/// 4 prompts per step, lr 2e-6, cosine with warmup 0.03, sampling 0.7 / 0.95 / 20, completion limit 2048), TRL
/// 0.22's <c>GRPOConfig</c> otherwise (β = 0, ε = 0.2, ε_high = ε, μ = 1, scale_rewards "group", loss_type "dapo").
/// </summary>
public sealed record GrpoSettings
{
    /// <summary>The starting policy: a Hugging Face checkpoint folder (the SFT model); also the frozen reference.</summary>
    public required string InitFrom { get; init; }

    public required string OutputDirectory { get; init; }

    public string? Tokenizer { get; init; }

    public int NumGenerations { get; init; } = 16;

    public int PromptsPerStep { get; init; } = 4;

    public int MaxPromptLength { get; init; } = 10000;

    public int MaxCompletionLength { get; init; } = 2048;

    public SamplingSettings Sampling { get; init; } = new();

    /// <summary>Sequences per forward/backward pass (and per generation batch).</summary>
    public int MicroBatchSize { get; init; } = 8;

    public int Epochs { get; init; } = 1;

    public int? MaxSteps { get; init; }

    public double LearningRate { get; init; } = 2e-6;

    public double WarmupRatio { get; init; } = 0.03;

    public double WeightDecay { get; init; }

    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>KL coefficient; 0 loads no reference model.</summary>
    public double Beta { get; init; }

    public double Epsilon { get; init; } = 0.2;

    /// <summary>Upper clip; null = <see cref="Epsilon"/>.</summary>
    public double? EpsilonHigh { get; init; }

    /// <summary>Optimizer steps per generation batch (μ).</summary>
    public int NumIterations { get; init; } = 1;

    public RewardScaling ScaleRewards { get; init; } = RewardScaling.Group;

    public GrpoLossType LossType { get; init; } = GrpoLossType.Dapo;

    public RewardWeights RewardWeights { get; init; } = new();

    public int Seed { get; init; } = 42;

    public int SaveEvery { get; init; } = 50;

    public int KeepCheckpoints { get; init; } = 2;

    public int LogEvery { get; init; } = 1;

    public LoraSettings? Lora { get; init; }

    public string Device { get; init; } = "auto";

    public string Dtype { get; init; } = "auto";

    public bool Resume { get; init; } = true;

    public int Threads { get; init; }

    public IEnumerable<string> Validate()
    {
        if (NumGenerations < 2)
        {
            yield return $"--num-generations must be at least 2 (advantages compare completions of one prompt); got {NumGenerations}.";
        }

        if (PromptsPerStep <= 0 || MicroBatchSize <= 0 || Epochs <= 0 || NumIterations <= 0 || SaveEvery <= 0)
        {
            yield return "--prompts-per-step, --micro-batch, --epochs, --num-iterations and --save-every must be positive.";
        }

        if (MaxSteps is <= 0)
        {
            yield return $"--max-steps must be positive; got {MaxSteps}.";
        }

        if (MaxPromptLength < 8 || MaxCompletionLength < 1)
        {
            yield return $"--max-prompt-length must be >= 8 and --max-completion-length >= 1; got {MaxPromptLength} and {MaxCompletionLength}.";
        }

        if (Sampling.Temperature <= 0 || Sampling.TopP is <= 0 or > 1 || Sampling.TopK is <= 0)
        {
            yield return "--temperature must be > 0, --top-p in (0, 1], --top-k positive.";
        }

        if (LearningRate <= 0 || WarmupRatio is < 0 or >= 1 || MaxGradNorm < 0)
        {
            yield return "--lr must be > 0, --warmup-ratio in [0, 1), --max-grad-norm >= 0.";
        }

        if (Beta < 0 || Epsilon is <= 0 or >= 1 || EpsilonHigh is <= 0)
        {
            yield return "--beta must be >= 0, --epsilon in (0, 1), --epsilon-high > 0.";
        }

        if (RewardWeights.Verify == 0 && RewardWeights.Format == 0)
        {
            yield return "at least one reward weight must be non-zero.";
        }

        if (Device is not ("auto" or "cpu" or "cuda") || Dtype is not ("auto" or "float32" or "bfloat16"))
        {
            yield return "--device must be auto, cpu or cuda; --dtype auto, float32 or bfloat16.";
        }

        if (Lora is not null)
        {
            foreach (var p in Lora.Validate())
            {
                yield return p;
            }
        }
    }
}

/// <summary>One GRPO step's figures (a line of metrics.jsonl). Rewards: mean and (unbiased) std over the batch.</summary>
public sealed record GrpoStepMetrics(
    int Step,
    double LearningRate,
    double Loss,
    double GradNorm,
    double RewardMean,
    double RewardStd,
    double VerifyMean,
    double VerifyStd,
    double FormatMean,
    double FormatStd,
    double Kl,
    double ClipFraction,
    double CompletionLengthMean,
    double TruncatedShare,
    double ZeroVarianceShare,
    int Completions,
    long CompletionTokens);

/// <summary>What a GRPO run did.</summary>
public sealed record GrpoReport(
    string ModelDirectory,
    int Steps,
    int ResumedFromStep,
    IReadOnlyList<GrpoStepMetrics> History,
    int Prompts,
    int TruncatedPrompts,
    double CompletionsPerSecond,
    double GeneratedTokensPerSecond,
    double ElapsedSeconds);
