using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Model;

namespace EhrR1.Graph.Training.Training;

/// <summary>Settings of <c>ehr-graph train</c> (supervised fine-tuning on EHR-Ins chat JSONL).</summary>
public sealed record TrainSettings
{
    public required string Data { get; init; }

    public required string OutputDirectory { get; init; }

    /// <summary>A config.json to train from scratch (random init); exclusive with <see cref="InitFrom"/>.</summary>
    public string? ModelConfig { get; init; }

    /// <summary>A Hugging Face checkpoint folder to fine-tune.</summary>
    public string? InitFrom { get; init; }

    /// <summary>Folder with the Qwen3 tokenizer.json; default: $EHRR1_TOKENIZER or shared/tokenizer/qwen3.</summary>
    public string? Tokenizer { get; init; }

    public string? EvalData { get; init; }

    /// <summary>A second EHR-Ins chat JSONL mixed into <see cref="Data"/> (stage 2: e.g. non-reasoning records beside the reasoning set).</summary>
    public string? MixData { get; init; }

    /// <summary>How <see cref="MixData"/> is mixed in: one shuffled pool, or upstream's curriculum (withheld until late, then linearly more).</summary>
    public DatasetMixing Mixing { get; init; } = DatasetMixing.Shuffle;

    public int MaxLength { get; init; } = 2048;

    public TruncationMode Truncation { get; init; } = TruncationMode.HeadAndTail;

    /// <summary>Tokens kept from the start of the EHR when cutting (head-and-tail mode).</summary>
    public int HeadTokens { get; init; } = DefaultHeadTokens;

    /// <summary>The default of <see cref="HeadTokens"/>.</summary>
    public const int DefaultHeadTokens = 256;

    public int BatchSize { get; init; } = 4;

    public int GradientAccumulation { get; init; } = 1;

    public int Epochs { get; init; } = 1;

    /// <summary>Stop after this many optimizer steps (overrides epochs when set).</summary>
    public int? MaxSteps { get; init; }

    public double LearningRate { get; init; } = 2e-5;

    public double WarmupRatio { get; init; } = 0.03;

    public double WeightDecay { get; init; }

    public double Beta1 { get; init; } = 0.9;

    public double Beta2 { get; init; } = 0.999;

    public double Epsilon { get; init; } = 1e-8;

    public double MaxGradNorm { get; init; } = 1.0;

    public int Seed { get; init; } = 42;

    public int EvalEvery { get; init; } = 100;

    public int SaveEvery { get; init; } = 500;

    public int LogEvery { get; init; } = 10;

    /// <summary>Keep at most this many step checkpoints (oldest removed).</summary>
    public int KeepCheckpoints { get; init; } = 2;

    public LoraSettings? Lora { get; init; }

    /// <summary>auto (CUDA when available), cpu, cuda.</summary>
    public string Device { get; init; } = "auto";

    /// <summary>auto (bf16 on CUDA, fp32 on CPU), float32, bfloat16.</summary>
    public string Dtype { get; init; } = "auto";

    /// <summary>Resume from the latest checkpoint in the output folder when one exists.</summary>
    public bool Resume { get; init; } = true;

    /// <summary>CPU threads for libtorch; 0 = libtorch default.</summary>
    public int Threads { get; init; }

    public IEnumerable<string> Validate()
    {
        if ((ModelConfig is null) == (InitFrom is null))
        {
            yield return "pass exactly one of --model-config (train from scratch) and --init-from (fine-tune a checkpoint).";
        }

        if (MaxLength < 16)
        {
            yield return $"--max-length must be at least 16; got {MaxLength}.";
        }

        if (BatchSize <= 0)
        {
            yield return $"--batch-size must be positive; got {BatchSize}.";
        }

        if (GradientAccumulation <= 0)
        {
            yield return $"--grad-accum must be positive; got {GradientAccumulation}.";
        }

        if (Epochs <= 0)
        {
            yield return $"--epochs must be positive; got {Epochs}.";
        }

        if (MaxSteps is <= 0)
        {
            yield return $"--max-steps must be positive; got {MaxSteps}.";
        }

        if (LearningRate <= 0)
        {
            yield return $"--lr must be positive; got {LearningRate}.";
        }

        if (WarmupRatio is < 0 or >= 1)
        {
            yield return $"--warmup-ratio must be in [0, 1); got {WarmupRatio}.";
        }

        if (MaxGradNorm < 0)
        {
            yield return $"--max-grad-norm must be >= 0 (0 = off); got {MaxGradNorm}.";
        }

        if (Mixing == DatasetMixing.Curriculum && MixData is null)
        {
            yield return "--mixing curriculum needs --mix-data (the second dataset to withhold until late in training).";
        }

        if (Device is not ("auto" or "cpu" or "cuda"))
        {
            yield return $"--device must be auto, cpu or cuda; got '{Device}'.";
        }

        if (Dtype is not ("auto" or "float32" or "bfloat16"))
        {
            yield return $"--dtype must be auto, float32 or bfloat16; got '{Dtype}'.";
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
