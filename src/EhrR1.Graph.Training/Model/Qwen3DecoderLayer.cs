using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>Pre-norm decoder block: x + attn(norm(x)), then + mlp(norm(x)).</summary>
internal sealed class Qwen3DecoderLayer : nn.Module
{
    public Qwen3DecoderLayer(string name, Qwen3Config config, int layer)
        : base(name)
    {
        SelfAttn = new Qwen3Attention("self_attn", config, layer);
        Mlp = new Qwen3Mlp("mlp", config);
        InputLayernorm = new RmsNorm("input_layernorm", config.HiddenSize, config.RmsNormEps);
        PostAttentionLayernorm = new RmsNorm("post_attention_layernorm", config.HiddenSize, config.RmsNormEps);
        register_module("self_attn", SelfAttn);
        register_module("mlp", Mlp);
        register_module("input_layernorm", InputLayernorm);
        register_module("post_attention_layernorm", PostAttentionLayernorm);
    }

    public Qwen3Attention SelfAttn { get; }

    public Qwen3Mlp Mlp { get; }

    public RmsNorm InputLayernorm { get; }

    public RmsNorm PostAttentionLayernorm { get; }

    public Tensor Forward(Tensor x, Tensor cos, Tensor sin, Tensor? mask, KvCache? cache)
    {
        var h = x.add(SelfAttn.Forward(InputLayernorm.forward(x), cos, sin, mask, cache));
        return h.add(Mlp.forward(PostAttentionLayernorm.forward(h)));
    }
}
