using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>
/// A bias-free linear projection (<c>weight</c> of shape [out, in], as in Hugging Face) with an optional LoRA adapter
/// (<c>lora_A.weight</c> [r, in], <c>lora_B.weight</c> [out, r], output scaled by alpha / r, PEFT naming).
/// </summary>
internal sealed class ProjectionLinear : nn.Module<Tensor, Tensor>
{
    private readonly Parameter _weight;
    private Parameter? _loraA;
    private Parameter? _loraB;
    private double _loraScale;
    private double _loraDropout;

    public ProjectionLinear(string name, long inFeatures, long outFeatures)
        : base(name)
    {
        _weight = new Parameter(empty(outFeatures, inFeatures));
        register_parameter("weight", _weight);
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
    }

    public long InFeatures { get; }

    public long OutFeatures { get; }

    public Parameter Weight => _weight;

    public bool HasLora => _loraA is not null;

    public void AddLora(int rank, double alpha, double dropout)
    {
        if (_loraA is not null)
        {
            throw new InvalidOperationException("LoRA adapter already attached.");
        }

        using (no_grad())
        {
            // lora_A: uniform(-1/sqrt(in), 1/sqrt(in)) (PEFT's kaiming-uniform with a = sqrt(5));
            // lora_B: zero, so a fresh adapter leaves the model unchanged.
            var bound = 1.0 / Math.Sqrt(InFeatures);
            _loraA = new Parameter(empty(rank, InFeatures, dtype: _weight.dtype, device: _weight.device).uniform_(-bound, bound));
            _loraB = new Parameter(zeros(OutFeatures, rank, dtype: _weight.dtype, device: _weight.device));
        }

        register_module("lora_A", new LoraFactor("lora_A", _loraA));
        register_module("lora_B", new LoraFactor("lora_B", _loraB));
        _loraScale = alpha / rank;
        _loraDropout = dropout;
    }

    /// <summary>The base weight with the adapter folded in (W + alpha/r · B A); a new tensor.</summary>
    public Tensor MergedWeight()
    {
        using var noGrad = no_grad();
        if (_loraA is null || _loraB is null)
        {
            return _weight.detach().clone();
        }

        using var delta = _loraB.matmul(_loraA);
        return _weight.detach().to(float32).add(delta.to(float32), alpha: _loraScale).to(_weight.dtype);
    }

    public override Tensor forward(Tensor input)
    {
        var output = nn.functional.linear(input, _weight);
        if (_loraA is null || _loraB is null)
        {
            return output;
        }

        var x = training && _loraDropout > 0 ? nn.functional.dropout(input, _loraDropout, training: true) : input;
        var lora = nn.functional.linear(nn.functional.linear(x, _loraA), _loraB);
        return output.add(lora, alpha: _loraScale);
    }

    private sealed class LoraFactor : nn.Module
    {
        public LoraFactor(string name, Parameter weight)
            : base(name)
        {
            register_parameter("weight", weight);
        }
    }
}
