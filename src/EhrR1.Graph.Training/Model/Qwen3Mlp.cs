using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>SwiGLU feed-forward: down(silu(gate(x)) * up(x)).</summary>
internal sealed class Qwen3Mlp : nn.Module<Tensor, Tensor>
{
    public Qwen3Mlp(string name, Qwen3Config config)
        : base(name)
    {
        GateProj = new ProjectionLinear("gate_proj", config.HiddenSize, config.IntermediateSize);
        UpProj = new ProjectionLinear("up_proj", config.HiddenSize, config.IntermediateSize);
        DownProj = new ProjectionLinear("down_proj", config.IntermediateSize, config.HiddenSize);
        register_module("gate_proj", GateProj);
        register_module("up_proj", UpProj);
        register_module("down_proj", DownProj);
    }

    public ProjectionLinear GateProj { get; }

    public ProjectionLinear UpProj { get; }

    public ProjectionLinear DownProj { get; }

    public override Tensor forward(Tensor input) =>
        DownProj.forward(nn.functional.silu(GateProj.forward(input)).mul(UpProj.forward(input)));
}
