using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Model;

/// <summary>Per-layer key/value tensors [B, KV, T, D] kept between decoding steps. Dispose when done.</summary>
public sealed class KvCache : IDisposable
{
    private readonly Tensor?[] _keys;
    private readonly Tensor?[] _values;

    public KvCache(int layers)
    {
        _keys = new Tensor?[layers];
        _values = new Tensor?[layers];
    }

    /// <summary>Number of cached positions.</summary>
    public long Length => _keys[0]?.shape[2] ?? 0;

    internal (Tensor Keys, Tensor Values) Append(int layer, Tensor keys, Tensor values)
    {
        var oldK = _keys[layer];
        var oldV = _values[layer];
        var k = oldK is null ? keys.detach().clone() : cat([oldK, keys.detach()], 2);
        var v = oldV is null ? values.detach().clone() : cat([oldV, values.detach()], 2);
        k.DetachFromDisposeScope();
        v.DetachFromDisposeScope();
        oldK?.Dispose();
        oldV?.Dispose();
        _keys[layer] = k;
        _values[layer] = v;
        return (k, v);
    }

    public void Dispose()
    {
        for (var i = 0; i < _keys.Length; i++)
        {
            _keys[i]?.Dispose();
            _values[i]?.Dispose();
            _keys[i] = null;
            _values[i] = null;
        }
    }
}
