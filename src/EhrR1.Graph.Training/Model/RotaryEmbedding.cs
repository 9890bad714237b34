using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>Rotary position embeddings with the Hugging Face <c>rotate_half</c> layout (first half / second half).</summary>
internal sealed class RotaryEmbedding : IDisposable
{
    private readonly Tensor _invFreq;

    public RotaryEmbedding(int headDim, double theta)
    {
        // inv_freq[i] = 1 / theta^(2i / d), computed in fp32 as in Hugging Face.
        using var idx = arange(0, headDim, 2, dtype: ScalarType.Int64).to(ScalarType.Float32).div_(headDim);
        using var basis = tensor((float)theta);
        using var pow = basis.pow(idx);
        _invFreq = pow.reciprocal().DetachFromDisposeScope();
    }

    /// <summary>cos and sin of shape [B, 1, T, D] for integer positions [B, T], in <paramref name="dtype"/>.</summary>
    public (Tensor Cos, Tensor Sin) Compute(Tensor positions, ScalarType dtype)
    {
        var inv = _invFreq.device == positions.device ? _invFreq : _invFreq.to(positions.device);
        var freqs = positions.to(ScalarType.Float32).unsqueeze(-1).mul(inv);
        var emb = cat([freqs, freqs], -1);
        var cos = emb.cos().unsqueeze(1);
        var sin = emb.sin().unsqueeze(1);
        return dtype == ScalarType.Float32 ? (cos, sin) : (cos.to(dtype), sin.to(dtype));
    }

    public static Tensor Apply(Tensor x, Tensor cos, Tensor sin)
    {
        var half = x.shape[^1] / 2;
        var x1 = x.narrow(-1, 0, half);
        var x2 = x.narrow(-1, half, half);
        var rotated = cat([x2.neg(), x1], -1);
        return x.mul(cos).add(rotated.mul(sin));
    }

    public void Dispose() => _invFreq.Dispose();
}
