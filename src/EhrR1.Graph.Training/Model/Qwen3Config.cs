using System.Text.Json;
using System.Text.Json.Serialization;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Training.Model;

/// <summary>The Qwen3 architecture hyper-parameters, read from and written to a Hugging Face <c>config.json</c>.</summary>
public sealed record Qwen3Config
{
    [JsonPropertyName("architectures")]
    public IReadOnlyList<string> Architectures { get; init; } = ["Qwen3ForCausalLM"];

    [JsonPropertyName("model_type")]
    public string ModelType { get; init; } = "qwen3";

    [JsonPropertyName("vocab_size")]
    public int VocabSize { get; init; } = 151936;

    [JsonPropertyName("hidden_size")]
    public int HiddenSize { get; init; }

    [JsonPropertyName("intermediate_size")]
    public int IntermediateSize { get; init; }

    [JsonPropertyName("num_hidden_layers")]
    public int NumHiddenLayers { get; init; }

    [JsonPropertyName("num_attention_heads")]
    public int NumAttentionHeads { get; init; }

    [JsonPropertyName("num_key_value_heads")]
    public int NumKeyValueHeads { get; init; }

    /// <summary>Per-head width; Hugging Face defaults it to hidden_size / num_attention_heads when absent.</summary>
    [JsonPropertyName("head_dim")]
    public int? HeadDimValue { get; init; }

    [JsonPropertyName("rms_norm_eps")]
    public double RmsNormEps { get; init; } = 1e-6;

    [JsonPropertyName("rope_theta")]
    public double RopeTheta { get; init; } = 1_000_000;

    [JsonPropertyName("max_position_embeddings")]
    public int MaxPositionEmbeddings { get; init; } = 40960;

    [JsonPropertyName("tie_word_embeddings")]
    public bool TieWordEmbeddings { get; init; }

    [JsonPropertyName("attention_bias")]
    public bool AttentionBias { get; init; }

    [JsonPropertyName("hidden_act")]
    public string HiddenAct { get; init; } = "silu";

    [JsonPropertyName("torch_dtype")]
    public string? TorchDtype { get; init; } = "float32";

    [JsonPropertyName("bos_token_id")]
    public int? BosTokenId { get; init; } = 151643;

    [JsonPropertyName("eos_token_id")]
    public int? EosTokenId { get; init; } = 151645;

    [JsonPropertyName("rope_scaling")]
    public JsonElement? RopeScaling { get; init; }

    [JsonIgnore]
    public int HeadDim => HeadDimValue ?? (HiddenSize / Math.Max(1, NumAttentionHeads));

    private static readonly JsonSerializerOptions WriteOptions = new() { WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Reads and validates a config.json; throws <see cref="InputDataException"/> naming the field.</summary>
    public static Qwen3Config Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-TRN-001", path, null, null, "model config file does not exist",
                fix: "Pass a Hugging Face config.json (see src/EhrR1.Graph.Training/Configs/qwen3-tiny.json)");
        }

        Qwen3Config? config;
        try
        {
            config = JsonSerializer.Deserialize<Qwen3Config>(File.ReadAllText(path));
        }
        catch (JsonException ex)
        {
            throw new InputDataException("EHR-TRN-001", path, ex.LineNumber + 1, ex.Path, "model config is not valid JSON", found: ex.Message, innerException: ex);
        }

        if (config is null)
        {
            throw new InputDataException("EHR-TRN-001", path, null, null, "model config is empty", expected: "a JSON object");
        }

        var problems = config.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new InputDataException("EHR-TRN-001", path, null, null, "invalid model config: " + string.Join(" ", problems));
        }

        return config;
    }

    public void Save(string path) => File.WriteAllText(path, JsonSerializer.Serialize(this, WriteOptions) + "\n");

    public IEnumerable<string> Validate()
    {
        if (!string.Equals(ModelType, "qwen3", StringComparison.Ordinal))
        {
            yield return $"field 'model_type' must be 'qwen3'; found '{ModelType}'.";
        }

        foreach (var (name, value) in new[]
                 {
                     ("vocab_size", VocabSize), ("hidden_size", HiddenSize), ("intermediate_size", IntermediateSize),
                     ("num_hidden_layers", NumHiddenLayers), ("num_attention_heads", NumAttentionHeads),
                     ("num_key_value_heads", NumKeyValueHeads), ("head_dim", HeadDim),
                 })
        {
            if (value <= 0)
            {
                yield return $"field '{name}' must be a positive integer; found {value}.";
            }
        }

        if (NumKeyValueHeads > 0 && NumAttentionHeads % NumKeyValueHeads != 0)
        {
            yield return $"field 'num_attention_heads' ({NumAttentionHeads}) must be a multiple of 'num_key_value_heads' ({NumKeyValueHeads}).";
        }

        if (HeadDim % 2 != 0)
        {
            yield return $"field 'head_dim' must be even for rotary embeddings; found {HeadDim}.";
        }

        if (AttentionBias)
        {
            yield return "field 'attention_bias' true is not supported (Qwen3 uses no attention bias).";
        }

        if (!string.Equals(HiddenAct, "silu", StringComparison.Ordinal))
        {
            yield return $"field 'hidden_act' must be 'silu'; found '{HiddenAct}'.";
        }

        if (RopeScaling is { ValueKind: not JsonValueKind.Null and not JsonValueKind.Undefined })
        {
            yield return "field 'rope_scaling' is not supported (only plain RoPE); set it to null.";
        }
    }
}
