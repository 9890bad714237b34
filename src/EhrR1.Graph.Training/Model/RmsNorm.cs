using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>Root-mean-square layer norm over the last dimension, computed in fp32 (Hugging Face Qwen3RMSNorm).</summary>
internal sealed class RmsNorm : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private readonly double _eps;

    public RmsNorm(string name, long size, double eps)
        : base(name)
    {
        _weight = new Parameter(ones(size));
        register_parameter("weight", _weight);
        _eps = eps;
    }

    public override Tensor forward(Tensor input)
    {
        var dtype = input.dtype;
        var x = dtype == ScalarType.Float32 ? input : input.to(ScalarType.Float32);
        var variance = x.pow(2).mean([-1L], keepdim: true);
        var normed = x.mul(variance.add(_eps).rsqrt());
        return _weight.mul(dtype == ScalarType.Float32 ? normed : normed.to(dtype));
    }
}
