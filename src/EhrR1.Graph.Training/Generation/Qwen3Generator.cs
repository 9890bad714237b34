using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Generation;

/// <summary>
/// Inference helpers for the evaluation stage: batched greedy decoding with a KV cache (left-padded prompts,
/// stops per sequence on a stop id such as <c>&lt;|im_end|&gt;</c>), and next-token log-probabilities of candidate ids
/// (risk tasks: log P("yes") vs log P("no") after the prompt).
/// </summary>
public sealed class Qwen3Generator
{
    private readonly Qwen3ForCausalLM _model;
    private readonly Device _device;
    private readonly int _padId;

    public Qwen3Generator(Qwen3ForCausalLM model, int padId)
    {
        ArgumentNullException.ThrowIfNull(model);
        TorchSharpNative.EnsureLoadable();
        _model = model;
        _padId = padId;
        _device = model.parameters().First().device;
    }

    /// <summary>Greedy continuation of each prompt (token ids); the returned ids exclude the prompt and the stop id.</summary>
    public IReadOnlyList<int[]> GenerateGreedy(IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens, IReadOnlySet<int> stopIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stopIds);
        return Decode(prompts, maxNewTokens, stopIds, Argmax, cancellationToken).Select(o =>
        {
            var stop = Array.FindIndex(o, stopIds.Contains);
            return stop < 0 ? o : o[..stop];
        }).ToArray();
    }

    /// <summary>
    /// Sampled continuation of each prompt (temperature, then top-k, then top-p, as Hugging Face's sampler), drawn
    /// from <paramref name="generator"/> so a seed fixes the result. The returned ids include the stop id when one was
    /// produced (RL scores it), so a completion without one ran into <paramref name="maxNewTokens"/>.
    /// </summary>
    public IReadOnlyList<int[]> GenerateSampled(IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens, IReadOnlySet<int> stopIds, SamplingSettings sampling, Generator generator, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sampling);
        ArgumentNullException.ThrowIfNull(generator);
        return Decode(prompts, maxNewTokens, stopIds, logits => Sample(logits, sampling, generator), cancellationToken);
    }

    /// <summary>Filters logits [B, V] as configured and draws one id per row.</summary>
    internal static Tensor Sample(Tensor logits, SamplingSettings sampling, Generator generator)
    {
        var x = logits.to(ScalarType.Float32) / sampling.Temperature;
        var vocab = x.shape[^1];
        if (sampling.TopK is > 0 && sampling.TopK < vocab)
        {
            var kth = x.topk(sampling.TopK.Value, dim: -1).values.select(-1, sampling.TopK.Value - 1).unsqueeze(-1);
            x = x.masked_fill(x.lt(kth), double.NegativeInfinity);
        }

        if (sampling.TopP < 1.0)
        {
            var (sorted, order) = x.sort(-1, descending: true);
            var probs = sorted.softmax(-1);
            // Drop a token when the mass before it already reaches top_p (the most likely token always stays).
            var remove = (probs.cumsum(-1) - probs).gt(sampling.TopP);
            x = x.scatter(-1, order, sorted.masked_fill(remove, double.NegativeInfinity));
        }

        return multinomial(x.softmax(-1), 1, generator: generator).squeeze(-1).cpu();
    }

    private int[][] Decode(IReadOnlyList<IReadOnlyList<int>> prompts, int maxNewTokens, IReadOnlySet<int> stopIds, Func<Tensor, Tensor> pick, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(stopIds);
        var b = prompts.Count;
        var outputs = Enumerable.Range(0, b).Select(_ => new List<int>()).ToArray();
        if (b == 0 || maxNewTokens <= 0)
        {
            return outputs.Select(o => o.ToArray()).ToArray();
        }

        _model.eval();
        using var noGrad = no_grad();
        using var cache = new KvCache(_model.Config.NumHiddenLayers);
        var (ids, valid, positions) = LeftPad(prompts);
        var finished = new bool[b];
        var nextPos = prompts.Select(p => (long)p.Count).ToArray();
        using (var scope = NewDisposeScope())
        {
            var t = ids.shape[1];
            var mask = PromptMask(valid, t);
            var next = pick(_model.Logits(_model.Hidden(ids, positions, mask, cache).select(1, t - 1)));
            Record(next, outputs, finished, stopIds);
        }

        for (var step = 1; step < maxNewTokens && !finished.All(f => f); step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            var last = outputs.Select(o => (long)(o.Count > 0 ? o[^1] : _padId)).ToArray();
            var input = tensor(last, [b, 1], device: _device);
            var pos = tensor(nextPos, [b, 1], device: _device);
            for (var i = 0; i < b; i++)
            {
                nextPos[i]++;
            }

            // Keys: the prompt's valid positions plus every generated position.
            var grown = cat([valid, ones(b, cache.Length + 1 - valid.shape[1], dtype: ScalarType.Bool, device: _device)], 1);
            var mask = grown.unsqueeze(1).unsqueeze(1);
            var next = pick(_model.Logits(_model.Hidden(input, pos, mask, cache).select(1, 0)));
            Record(next, outputs, finished, stopIds);
        }

        ids.Dispose();
        valid.Dispose();
        positions.Dispose();
        return outputs.Select(o => o.ToArray()).ToArray();
    }

    /// <summary>Log-probabilities (log-softmax over the vocabulary) of each candidate id as the next token after each prompt.</summary>
    public IReadOnlyList<double[]> NextTokenLogProbs(IReadOnlyList<IReadOnlyList<int>> prompts, IReadOnlyList<int> candidateIds)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        ArgumentNullException.ThrowIfNull(candidateIds);
        _model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var (ids, valid, positions) = LeftPad(prompts);
        var t = ids.shape[1];
        var logits = _model.Logits(_model.Hidden(ids, positions, PromptMask(valid, t)).select(1, t - 1)).to(ScalarType.Float32);
        var logProbs = nn.functional.log_softmax(logits, 1);
        var picked = logProbs.index_select(1, tensor(candidateIds.Select(c => (long)c).ToArray(), device: _device)).cpu();
        var flat = picked.data<float>().ToArray();
        return Enumerable.Range(0, prompts.Count).Select(i => flat.Skip(i * candidateIds.Count).Take(candidateIds.Count).Select(f => (double)f).ToArray()).ToArray();
    }

    private (Tensor Ids, Tensor Valid, Tensor Positions) LeftPad(IReadOnlyList<IReadOnlyList<int>> prompts)
    {
        var b = prompts.Count;
        var t = prompts.Max(p => p.Count);
        if (prompts.Any(p => p.Count == 0))
        {
            throw new ArgumentException("every prompt needs at least one token", nameof(prompts));
        }

        var ids = new long[b * t];
        var valid = new bool[b * t];
        var pos = new long[b * t];
        for (var i = 0; i < b; i++)
        {
            var pad = t - prompts[i].Count;
            for (var j = 0; j < t; j++)
            {
                var k = (i * t) + j;
                ids[k] = j < pad ? _padId : prompts[i][j - pad];
                valid[k] = j >= pad;
                pos[k] = Math.Max(0, j - pad);
            }
        }

        return (
            tensor(ids, [b, t], device: _device).DetachFromDisposeScope(),
            tensor(valid, [b, t], device: _device).DetachFromDisposeScope(),
            tensor(pos, [b, t], device: _device).DetachFromDisposeScope());
    }

    /// <summary>[B, 1, T, T]: causal and key-valid; a padded query row attends to itself so softmax stays finite.</summary>
    private Tensor PromptMask(Tensor valid, long t)
    {
        var causal = ones(t, t, dtype: ScalarType.Bool, device: _device).tril();
        var mask = causal.unsqueeze(0).logical_and(valid.unsqueeze(1));
        var diagonal = eye(t, dtype: ScalarType.Bool, device: _device).unsqueeze(0);
        return mask.logical_or(diagonal).unsqueeze(1);
    }

    private static Tensor Argmax(Tensor logits) => logits.argmax(-1).cpu();

    private static void Record(Tensor next, List<int>[] outputs, bool[] finished, IReadOnlySet<int> stopIds)
    {
        var values = next.data<long>().ToArray();
        for (var i = 0; i < outputs.Length; i++)
        {
            if (finished[i])
            {
                continue;
            }

            var id = (int)values[i];
            outputs[i].Add(id);
            if (stopIds.Contains(id))
            {
                finished[i] = true;
            }
        }
    }
}

/// <summary>Sampling settings (upstream GRPO: temperature 0.7, top_p 0.95, top_k 20).</summary>
public sealed record SamplingSettings(double Temperature = 0.7, double TopP = 0.95, int? TopK = 20);
