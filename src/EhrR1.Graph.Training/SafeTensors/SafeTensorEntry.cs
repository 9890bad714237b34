using static TorchSharp.torch;

namespace EhrR1.Graph.Training.SafeTensors;

/// <summary>A tensor's header entry: name, dtype, shape and byte range within the data section.</summary>
public sealed record SafeTensorEntry(string Name, ScalarType Dtype, long[] Shape, long Begin, long End)
{
    public long ElementCount => Shape.Aggregate(1L, (a, b) => a * b);

    public long ByteCount => ElementCount * SafeTensorDtypes.ElementSize(Dtype);
}
