using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>
/// Qwen3 causal language model with Hugging Face parameter names (<c>model.embed_tokens.weight</c>,
/// <c>model.layers.{i}.self_attn.q_proj.weight</c>, ..., <c>model.norm.weight</c>, <c>lm_head.weight</c>).
/// </summary>
public sealed class Qwen3ForCausalLM : nn.Module
{
    private readonly Backbone _model;
    private readonly ProjectionLinear? _lmHead;
    private readonly RotaryEmbedding _rope;

    public Qwen3ForCausalLM(Qwen3Config config)
        : base("Qwen3ForCausalLM")
    {
        ArgumentNullException.ThrowIfNull(config);
        var problems = config.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems), nameof(config));
        }

        Config = config;
        _model = new Backbone(config);
        register_module("model", _model);
        if (!config.TieWordEmbeddings)
        {
            _lmHead = new ProjectionLinear("lm_head", config.HiddenSize, config.VocabSize);
            register_module("lm_head", _lmHead);
        }

        _rope = new RotaryEmbedding(config.HeadDim, config.RopeTheta);
    }

    public Qwen3Config Config { get; }

    /// <summary>The weight that maps hidden states to vocabulary logits (the embedding when tied).</summary>
    internal Parameter OutputWeight => _lmHead?.Weight ?? _model.EmbedTokens.weight!;

    internal IReadOnlyList<Qwen3DecoderLayer> Layers => [.. _model.Layers];

    public bool HasLora { get; private set; }

    /// <summary>Initialises weights as Hugging Face does for a fresh model: normal(0, std) matrices, unit norms.</summary>
    public void InitializeWeights(double std = 0.02)
    {
        using var noGrad = no_grad();
        foreach (var (name, p) in named_parameters())
        {
            if (name.EndsWith("norm.weight", StringComparison.Ordinal))
            {
                p.fill_(1.0);
            }
            else
            {
                p.normal_(0.0, std);
            }
        }
    }

    /// <summary>Final hidden states [B, T, H] (after the last norm).</summary>
    /// <param name="inputIds">Token ids [B, T] (int64).</param>
    /// <param name="positions">Positions [B, T]; default 0..T-1 offset by the cache length.</param>
    /// <param name="mask">Boolean attention mask [B, 1, T, S] (true = attend); null = causal.</param>
    /// <param name="cache">Key/value cache to extend, or null.</param>
    public Tensor Hidden(Tensor inputIds, Tensor? positions = null, Tensor? mask = null, KvCache? cache = null)
    {
        ArgumentNullException.ThrowIfNull(inputIds);
        var b = inputIds.shape[0];
        var t = inputIds.shape[1];
        if (positions is null)
        {
            var offset = cache?.Length ?? 0;
            positions = arange(offset, offset + t, dtype: ScalarType.Int64, device: inputIds.device).unsqueeze(0).expand(b, t);
        }

        var x = _model.EmbedTokens.forward(inputIds);
        var (cos, sin) = _rope.Compute(positions, x.dtype);
        if (mask is null && cache is not null && cache.Length > 0)
        {
            // Decoding after a prefix without an explicit mask: every cached key is visible; causal among the new ones.
            var s = cache.Length + t;
            mask = ones(t, s, dtype: ScalarType.Bool, device: inputIds.device).tril(s - t).unsqueeze(0).unsqueeze(0);
        }

        foreach (var layer in _model.Layers)
        {
            x = layer.Forward(x, cos, sin, mask, cache);
        }

        return _model.Norm.forward(x);
    }

    /// <summary>Vocabulary logits for hidden states [..., H].</summary>
    public Tensor Logits(Tensor hidden) =>
        _lmHead is not null ? _lmHead.forward(hidden) : nn.functional.linear(hidden, _model.EmbedTokens.weight!);

    /// <summary>Logits [B, T, V] for token ids [B, T].</summary>
    public Tensor Forward(Tensor inputIds) => Logits(Hidden(inputIds));

    /// <summary>Attaches LoRA adapters to the named projections of every layer and freezes all other weights.</summary>
    public void AddLora(LoraSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var p in parameters())
        {
            p.requires_grad = false;
        }

        foreach (var layer in _model.Layers)
        {
            foreach (var (name, proj) in Projections(layer))
            {
                if (settings.TargetModules.Contains(name, StringComparer.Ordinal))
                {
                    proj.AddLora(settings.Rank, settings.Alpha, settings.Dropout);
                }
            }
        }

        HasLora = true;
    }

    /// <summary>The parameters the optimizer updates, with their names, in a stable order.</summary>
    public IReadOnlyList<(string Name, Parameter Parameter)> TrainableParameters() =>
        named_parameters().Where(p => p.parameter.requires_grad).Select(p => (p.name, p.parameter)).ToList();

    /// <summary>
    /// The Hugging Face weights (no LoRA factors: adapters are merged into their base weights when present).
    /// Tensors are new (caller disposes) when merged, else the live parameters (do not dispose).
    /// </summary>
    public IEnumerable<(string Name, Tensor Tensor, bool Owned)> ExportWeights()
    {
        var merged = new Dictionary<string, ProjectionLinear>(StringComparer.Ordinal);
        for (var i = 0; i < _model.Layers.Count; i++)
        {
            foreach (var (name, proj) in Projections(_model.Layers[i]))
            {
                if (proj.HasLora)
                {
                    var scope = name is "gate_proj" or "up_proj" or "down_proj" ? "mlp" : "self_attn";
                    merged[$"model.layers.{i}.{scope}.{name}.weight"] = proj;
                }
            }
        }

        foreach (var (name, p) in named_parameters())
        {
            if (name.Contains(".lora_", StringComparison.Ordinal))
            {
                continue;
            }

            if (merged.TryGetValue(name, out var proj))
            {
                yield return (name, proj.MergedWeight(), true);
            }
            else
            {
                yield return (name, p, false);
            }
        }
    }

    /// <summary>Only the LoRA factors (PEFT-style names), for adapter checkpoints.</summary>
    public IEnumerable<(string Name, Tensor Tensor)> LoraWeights() =>
        named_parameters().Where(p => p.name.Contains(".lora_", StringComparison.Ordinal)).Select(p => (p.name, (Tensor)p.parameter));

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rope.Dispose();
        }

        base.Dispose(disposing);
    }

    private static IEnumerable<(string Name, ProjectionLinear Projection)> Projections(Qwen3DecoderLayer layer)
    {
        yield return ("q_proj", layer.SelfAttn.QProj);
        yield return ("k_proj", layer.SelfAttn.KProj);
        yield return ("v_proj", layer.SelfAttn.VProj);
        yield return ("o_proj", layer.SelfAttn.OProj);
        yield return ("gate_proj", layer.Mlp.GateProj);
        yield return ("up_proj", layer.Mlp.UpProj);
        yield return ("down_proj", layer.Mlp.DownProj);
    }

    private sealed class Backbone : nn.Module
    {
        public Backbone(Qwen3Config config)
            : base("model")
        {
            EmbedTokens = nn.Embedding(config.VocabSize, config.HiddenSize);
            Layers = new ModuleList<Qwen3DecoderLayer>(
                Enumerable.Range(0, config.NumHiddenLayers).Select(i => new Qwen3DecoderLayer(i.ToString(System.Globalization.CultureInfo.InvariantCulture), config, i)).ToArray());
            Norm = new RmsNorm("norm", config.HiddenSize, config.RmsNormEps);
            register_module("embed_tokens", EmbedTokens);
            register_module("layers", Layers);
            register_module("norm", Norm);
        }

        public Embedding EmbedTokens { get; }

        public ModuleList<Qwen3DecoderLayer> Layers { get; }

        public RmsNorm Norm { get; }
    }
}
