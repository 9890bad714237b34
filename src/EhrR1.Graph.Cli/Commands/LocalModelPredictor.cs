using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Evaluation.Running;
using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Generation;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.SafeTensors;
using EhrR1.Graph.Training.Tokenization;
using EhrR1.Graph.Training.Training;
using TorchSharp;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>
/// A local TorchSharp Qwen3 checkpoint as an EHR-Bench predictor (composition root: joins the evaluation contract to the
/// training stage's model, tokenizer and <see cref="Qwen3Generator"/>). Prompts go through the Qwen3 chat template
/// (<c>enable_thinking</c> off unless the request thinks, which puts the empty think block in the prompt). Generation is
/// greedy with a KV cache in batches of left-padded prompts, stopping at <c>&lt;|im_end|&gt;</c>/<c>&lt;|endoftext|&gt;</c>.
/// Risk requests read the next-token log-probabilities of "yes" and "no" after the prompt: P(yes) = softmax over the two.
/// Runs on the CPU in float32.
/// </summary>
public sealed class LocalModelPredictor : IEhrBenchPredictor
{
    private readonly Qwen3ForCausalLM _model;
    private readonly Qwen3Tokenizer _tokenizer;
    private readonly Qwen3Generator _generator;
    private readonly int[] _yesNo;
    private readonly HashSet<int> _stop;
    private readonly SftEncoder? _cutter;

    /// <summary>Loads <paramref name="checkpoint"/> with the tokenizer at <paramref name="tokenizerPath"/>, decoding
    /// <paramref name="batchSize"/> prompts together. Prompts over <paramref name="maxPromptTokens"/> tokens are cut as
    /// training cuts its samples (inside the user message, keeping its first 256 tokens and its end); 0 keeps every
    /// prompt whole.</summary>
    public LocalModelPredictor(string checkpoint, string tokenizerPath, int batchSize, int maxPromptTokens = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxPromptTokens);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        _tokenizer = Qwen3Tokenizer.Load(tokenizerPath);
        // The first tensor below initialises libtorch: apply the libstdc++ fix before it (a no-op where not needed).
        EhrR1.Graph.Training.Native.TorchSharpNative.EnsureLoadable();
        _model = CheckpointDirectory.LoadModel(checkpoint, torch.ScalarType.Float32, torch.CPU);
        _generator = new Qwen3Generator(_model, _tokenizer.EndOfTextId);
        _yesNo = [SingleToken("yes"), SingleToken("no")];
        _stop = [_tokenizer.ImEndId, _tokenizer.EndOfTextId];
        Description = Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(checkpoint)));
        MaxBatchSize = batchSize;
        _cutter = maxPromptTokens > 0 ? new SftEncoder(_tokenizer, maxPromptTokens, TruncationMode.HeadAndTail, TrainSettings.DefaultHeadTokens) : null;
    }

    /// <summary>Prompts cut to the prompt limit so far.</summary>
    public long TruncatedPrompts { get; private set; }

    public string Description { get; }

    public int MaxBatchSize { get; }

    public int MaxConcurrentBatches => 1;

    /// <summary>Tokens generated so far (for throughput figures).</summary>
    public long GeneratedTokens { get; private set; }

    public Task<IReadOnlyList<PredictionOutcome>> PredictAsync(IReadOnlyList<PredictionRequest> batch, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batch);
        cancellationToken.ThrowIfCancellationRequested();
        var prompts = batch.Select(Encode).ToList();
        var results = new List<PredictionOutcome>(batch.Count);
        if (batch[0].Kind == PredictionKind.YesNo)
        {
            var logProbs = _generator.NextTokenLogProbs(prompts, _yesNo);
            for (var i = 0; i < batch.Count; i++)
            {
                var (lpYes, lpNo) = (logProbs[i][0], logProbs[i][1]);
                if (!double.IsFinite(lpYes) || !double.IsFinite(lpNo))
                {
                    // A diverged or broken checkpoint: record the sample as failed (JSON cannot carry NaN/Infinity)
                    // instead of stopping the whole evaluation.
                    results.Add(new PredictionOutcome { SampleId = batch[i].SampleId, Text = string.Empty, Error = "non_finite_logprobs", PromptTokens = prompts[i].Count });
                    continue;
                }

                results.Add(new PredictionOutcome
                {
                    SampleId = batch[i].SampleId,
                    Text = lpYes >= lpNo ? "yes" : "no",
                    LogProbYes = lpYes,
                    LogProbNo = lpNo,
                    PYes = YesNoProbability.FromLogProbs(lpYes, lpNo),
                    ProbabilitySource = "logits",
                    PromptTokens = prompts[i].Count,
                    CompletionTokens = 1,
                });
            }

            return Task.FromResult<IReadOnlyList<PredictionOutcome>>(results);
        }

        var maxNew = batch.Max(r => r.MaxNewTokens);
        var outputs = _generator.GenerateGreedy(prompts, maxNew, _stop, cancellationToken);
        for (var i = 0; i < batch.Count; i++)
        {
            var ids = outputs[i].Length > batch[i].MaxNewTokens ? outputs[i][..batch[i].MaxNewTokens] : outputs[i];
            GeneratedTokens += ids.Length;
            results.Add(new PredictionOutcome
            {
                SampleId = batch[i].SampleId,
                Text = _tokenizer.Decode(ids),
                PromptTokens = prompts[i].Count,
                CompletionTokens = ids.Length,
                FinishReason = ids.Length >= batch[i].MaxNewTokens ? "length" : "stop",
            });
        }

        return Task.FromResult<IReadOnlyList<PredictionOutcome>>(results);
    }

    private IReadOnlyList<int> Encode(PredictionRequest r)
    {
        ChatMessage[] messages = [new ChatMessage("system", r.SystemPrompt), new ChatMessage("user", r.UserPrompt)];
        var thinking = r.Thinking == ThinkingMode.Think;
        if (_cutter is null)
        {
            return _tokenizer.Encode(ChatTemplate.Render(messages, addGenerationPrompt: true, enableThinking: thinking));
        }

        var (ids, truncated) = _cutter.EncodePrompt(messages, thinking);
        TruncatedPrompts += truncated ? 1 : 0;
        return ids;
    }

    public ValueTask DisposeAsync()
    {
        _model.Dispose();
        return ValueTask.CompletedTask;
    }

    private int SingleToken(string word)
    {
        var ids = _tokenizer.Encode(word);
        return ids.Count == 1
            ? ids[0]
            : throw new StageConfigurationException($"the tokenizer splits \"{word}\" into {ids.Count} tokens; risk tasks need it as one token.");
    }
}
