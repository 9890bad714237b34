using TorchSharp.Modules;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Training;

/// <summary>
/// AdamW (decoupled weight decay, bias-corrected moments) with state we own, so checkpoints hold the exact
/// moments and step and a resumed run continues bit for bit. Moments are fp32 whatever the parameter dtype.
/// </summary>
internal sealed class AdamW : IDisposable
{
    private readonly IReadOnlyList<(string Name, Parameter Parameter)> _parameters;
    private readonly Tensor[] _expAvg;
    private readonly Tensor[] _expAvgSq;
    private readonly double _beta1;
    private readonly double _beta2;
    private readonly double _eps;
    private readonly double _weightDecay;

    public AdamW(IReadOnlyList<(string Name, Parameter Parameter)> parameters, double beta1, double beta2, double eps, double weightDecay)
    {
        _parameters = parameters;
        _beta1 = beta1;
        _beta2 = beta2;
        _eps = eps;
        _weightDecay = weightDecay;
        _expAvg = parameters.Select(p => zeros_like(p.Parameter, dtype: ScalarType.Float32).DetachFromDisposeScope()).ToArray();
        _expAvgSq = parameters.Select(p => zeros_like(p.Parameter, dtype: ScalarType.Float32).DetachFromDisposeScope()).ToArray();
    }

    public long Step { get; set; }

    public void ZeroGrad()
    {
        foreach (var (_, p) in _parameters)
        {
            p.grad?.zero_();
        }
    }

    public void Update(double lr)
    {
        Step++;
        var bc1 = 1 - Math.Pow(_beta1, Step);
        var bc2 = 1 - Math.Pow(_beta2, Step);
        var stepSize = lr / bc1;
        var bc2Sqrt = Math.Sqrt(bc2);
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Count; i++)
        {
            using var scope = NewDisposeScope();
            var p = _parameters[i].Parameter;
            var grad = p.grad;
            if (grad is null)
            {
                continue;
            }

            var g = grad.dtype == ScalarType.Float32 ? grad : grad.to(ScalarType.Float32);
            var isFp32 = p.dtype == ScalarType.Float32;
            var master = isFp32 ? (Tensor)p : p.to(ScalarType.Float32);
            if (_weightDecay > 0)
            {
                master.mul_(1 - (lr * _weightDecay));
            }

            _expAvg[i].mul_(_beta1).add_(g, alpha: 1 - _beta1);
            _expAvgSq[i].mul_(_beta2).addcmul_(g, g, value: 1 - _beta2);
            var denom = _expAvgSq[i].sqrt().div_(bc2Sqrt).add_(_eps);
            master.addcdiv_(_expAvg[i], denom, value: -stepSize);
            if (!isFp32)
            {
                p.copy_(master);
            }
        }
    }

    public IEnumerable<(string Name, Tensor Tensor)> State()
    {
        for (var i = 0; i < _parameters.Count; i++)
        {
            yield return (_parameters[i].Name + ".exp_avg", _expAvg[i]);
            yield return (_parameters[i].Name + ".exp_avg_sq", _expAvgSq[i]);
        }
    }

    public void LoadState(Func<string, Tensor> read)
    {
        using var noGrad = no_grad();
        for (var i = 0; i < _parameters.Count; i++)
        {
            using var a = read(_parameters[i].Name + ".exp_avg");
            using var b = read(_parameters[i].Name + ".exp_avg_sq");
            _expAvg[i].copy_(a);
            _expAvgSq[i].copy_(b);
        }
    }

    public void Dispose()
    {
        foreach (var t in _expAvg.Concat(_expAvgSq))
        {
            t.Dispose();
        }
    }
}
