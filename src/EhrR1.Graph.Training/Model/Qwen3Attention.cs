using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>Grouped-query attention with per-head RMSNorm on queries and keys (Qwen3).</summary>
internal sealed class Qwen3Attention : nn.Module
{
    private readonly int _heads;
    private readonly int _kvHeads;
    private readonly int _headDim;
    private readonly int _layer;

    public Qwen3Attention(string name, Qwen3Config config, int layer)
        : base(name)
    {
        _heads = config.NumAttentionHeads;
        _kvHeads = config.NumKeyValueHeads;
        _headDim = config.HeadDim;
        _layer = layer;
        QProj = new ProjectionLinear("q_proj", config.HiddenSize, (long)_heads * _headDim);
        KProj = new ProjectionLinear("k_proj", config.HiddenSize, (long)_kvHeads * _headDim);
        VProj = new ProjectionLinear("v_proj", config.HiddenSize, (long)_kvHeads * _headDim);
        OProj = new ProjectionLinear("o_proj", (long)_heads * _headDim, config.HiddenSize);
        QNorm = new RmsNorm("q_norm", _headDim, config.RmsNormEps);
        KNorm = new RmsNorm("k_norm", _headDim, config.RmsNormEps);
        register_module("q_proj", QProj);
        register_module("k_proj", KProj);
        register_module("v_proj", VProj);
        register_module("o_proj", OProj);
        register_module("q_norm", QNorm);
        register_module("k_norm", KNorm);
    }

    public ProjectionLinear QProj { get; }

    public ProjectionLinear KProj { get; }

    public ProjectionLinear VProj { get; }

    public ProjectionLinear OProj { get; }

    public RmsNorm QNorm { get; }

    public RmsNorm KNorm { get; }

    /// <param name="x">[B, T, H].</param>
    /// <param name="cos">[B, 1, T, D].</param>
    /// <param name="sin">[B, 1, T, D].</param>
    /// <param name="mask">Boolean [B, 1, T, S] (true = may attend) or null for plain causal attention.</param>
    /// <param name="cache">Key/value cache to extend, or null.</param>
    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
    {
        var b = x.shape[0];
        var t = x.shape[1];
        var q = QNorm.forward(QProj.forward(x).view(b, t, _heads, _headDim)).transpose(1, 2);
        var k = KNorm.forward(KProj.forward(x).view(b, t, _kvHeads, _headDim)).transpose(1, 2);
        var v = VProj.forward(x).view(b, t, _kvHeads, _headDim).transpose(1, 2);
        q = RotaryEmbedding.Apply(q, cos, sin);
        k = RotaryEmbedding.Apply(k, cos, sin);
        if (cache is not null)
        {
            (k, v) = cache.Append(_layer, k, v);
        }

        var groups = _heads / _kvHeads;
        if (groups > 1)
        {
            var s = k.shape[2];
            k = k.unsqueeze(2).expand(b, _kvHeads, groups, s, _headDim).reshape(b, _heads, s, _headDim);
            v = v.unsqueeze(2).expand(b, _kvHeads, groups, s, _headDim).reshape(b, _heads, s, _headDim);
        }

        var attn = mask is null
            ? nn.functional.scaled_dot_product_attention(q, k, v, null, 0.0, is_casual: true)
            : nn.functional.scaled_dot_product_attention(q, k, v, mask, 0.0, is_casual: false);
        return OProj.forward(attn.transpose(1, 2).reshape(b, t, (long)_heads * _headDim));
    }
}
