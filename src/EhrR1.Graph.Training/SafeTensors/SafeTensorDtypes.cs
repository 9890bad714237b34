using EhrR1.Graph.Core.Errors;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.SafeTensors;

/// <summary>Maps safetensors dtype names to TorchSharp scalar types.</summary>
internal static class SafeTensorDtypes
{
    public static ScalarType Parse(string name, string file, string tensor) => name switch
    {
        "F32" => ScalarType.Float32,
        "F16" => ScalarType.Float16,
        "BF16" => ScalarType.BFloat16,
        "F64" => ScalarType.Float64,
        "I64" => ScalarType.Int64,
        "I32" => ScalarType.Int32,
        "I16" => ScalarType.Int16,
        "I8" => ScalarType.Int8,
        "U8" => ScalarType.Byte,
        "BOOL" => ScalarType.Bool,
        _ => throw new InputDataException("EHR-TRN-002", file, null, tensor, "unsupported safetensors dtype",
            expected: "F32, F16, BF16, F64, I64, I32, I16, I8, U8 or BOOL", found: name),
    };

    public static string Name(ScalarType type) => type switch
    {
        ScalarType.Float32 => "F32",
        ScalarType.Float16 => "F16",
        ScalarType.BFloat16 => "BF16",
        ScalarType.Float64 => "F64",
        ScalarType.Int64 => "I64",
        ScalarType.Int32 => "I32",
        ScalarType.Int16 => "I16",
        ScalarType.Int8 => "I8",
        ScalarType.Byte => "U8",
        ScalarType.Bool => "BOOL",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "No safetensors dtype for this scalar type."),
    };

    public static long ElementSize(ScalarType type) => type switch
    {
        ScalarType.Float64 or ScalarType.Int64 => 8,
        ScalarType.Float32 or ScalarType.Int32 => 4,
        ScalarType.Float16 or ScalarType.BFloat16 or ScalarType.Int16 => 2,
        _ => 1,
    };

    /// <summary>Parses a Hugging Face <c>torch_dtype</c> string.</summary>
    public static ScalarType? FromTorchName(string? name) => name switch
    {
        "float32" or "fp32" => ScalarType.Float32,
        "bfloat16" or "bf16" => ScalarType.BFloat16,
        "float16" or "fp16" => ScalarType.Float16,
        _ => null,
    };
}
