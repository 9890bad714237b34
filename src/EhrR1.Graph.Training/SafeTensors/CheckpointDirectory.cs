using System.Text.Json;
using System.Text.Json.Nodes;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Training.Model;
using Microsoft.Extensions.Logging;
using TorchSharp;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.SafeTensors;

/// <summary>
/// Hugging Face checkpoint folders: <c>config.json</c> + <c>model.safetensors</c>, or shards named in
/// <c>model.safetensors.index.json</c> (<c>weight_map</c>: tensor name → shard file).
/// </summary>
public static class CheckpointDirectory
{
    public const string IndexFile = "model.safetensors.index.json";
    public const string SingleFile = "model.safetensors";

    private static readonly JsonSerializerOptions IndentedJson = new() { WriteIndented = true };

    /// <summary>Maps every tensor name to the file that holds it.</summary>
    public static IReadOnlyDictionary<string, string> WeightMap(string directory)
    {
        var index = Path.Combine(directory, IndexFile);
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        if (File.Exists(index))
        {
            JsonNode? root;
            try
            {
                root = JsonNode.Parse(File.ReadAllText(index));
            }
            catch (JsonException ex)
            {
                throw new InputDataException("EHR-TRN-003", index, ex.LineNumber + 1, null, "index is not valid JSON", found: ex.Message, innerException: ex);
            }

            if (root?["weight_map"] is not JsonObject weightMap)
            {
                throw new InputDataException("EHR-TRN-003", index, null, "weight_map", "missing object", expected: "{\"weight_map\": {\"tensor name\": \"shard file\"}}");
            }

            foreach (var (name, file) in weightMap)
            {
                var shard = Path.Combine(directory, file?.GetValue<string>() ?? string.Empty);
                if (!File.Exists(shard))
                {
                    throw new InputDataException("EHR-TRN-003", index, null, "weight_map", $"shard of tensor '{name}' does not exist", found: file?.GetValue<string>());
                }

                map[name] = shard;
            }

            return map;
        }

        var files = File.Exists(Path.Combine(directory, SingleFile))
            ? [Path.Combine(directory, SingleFile)]
            : Directory.GetFiles(directory, "*.safetensors").Order(StringComparer.Ordinal).ToArray();
        if (files.Length == 0)
        {
            throw new InputDataException("EHR-TRN-003", directory, null, null, "no model weights found",
                expected: $"{SingleFile} or {IndexFile} with its shards");
        }

        foreach (var f in files)
        {
            using var st = SafeTensorsFile.Open(f);
            foreach (var name in st.Entries.Keys)
            {
                map[name] = f;
            }
        }

        return map;
    }

    /// <summary>Loads a model from a checkpoint folder, shard by shard, converting to <paramref name="dtype"/>.</summary>
    public static Qwen3ForCausalLM LoadModel(string directory, ScalarType dtype, Device device, ILogger? logger = null)
    {
        var config = Qwen3Config.Load(Path.Combine(directory, "config.json"));
        // Build directly in the target dtype so an 8B model never exists in fp32 in host memory.
        var previous = get_default_dtype();
        Qwen3ForCausalLM model;
        set_default_dtype(dtype);
        try
        {
            model = new Qwen3ForCausalLM(config);
        }
        finally
        {
            set_default_dtype(previous);
        }

        try
        {
            model.to(device);
            LoadWeights(model, directory, logger);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>Copies weights into an existing model. Every model parameter must be present (lm_head may be tied).</summary>
    public static void LoadWeights(Qwen3ForCausalLM model, string directory, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var map = WeightMap(directory);
        var parameters = model.named_parameters()
            .Where(p => !p.name.Contains(".lora_", StringComparison.Ordinal))
            .ToDictionary(p => p.name, p => p.parameter, StringComparer.Ordinal);
        var missing = parameters.Keys.Where(k => !map.ContainsKey(k)).ToList();
        if (missing.Count > 0)
        {
            throw new InputDataException("EHR-TRN-003", directory, null, null,
                $"checkpoint lacks {missing.Count} model weight(s)", expected: "every Qwen3 parameter", found: "missing " + string.Join(", ", missing.Take(5)) + (missing.Count > 5 ? ", ..." : string.Empty));
        }

        var loaded = 0;
        foreach (var shard in map.Where(kv => parameters.ContainsKey(kv.Key)).GroupBy(kv => kv.Value, StringComparer.Ordinal).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            using var file = SafeTensorsFile.Open(shard.Key);
            foreach (var (name, _) in shard)
            {
                var target = parameters[name];
                using var scope = NewDisposeScope();
                var source = file.Read(name);
                if (!source.shape.SequenceEqual(target.shape))
                {
                    throw new InputDataException("EHR-TRN-003", shard.Key, null, name, "tensor shape does not match config.json",
                        expected: "[" + string.Join(",", target.shape) + "]", found: "[" + string.Join(",", source.shape) + "]");
                }

                using (no_grad())
                {
                    target.copy_(source.to(target.dtype).to(target.device));
                }

                loaded++;
            }

            logger?.LogInformation("Loaded {Count} tensors from {Shard}.", shard.Count(), Path.GetFileName(shard.Key));
        }

        var unused = map.Keys.Count(k => !parameters.ContainsKey(k) && !string.Equals(k, "lm_head.weight", StringComparison.Ordinal));
        if (unused > 0)
        {
            logger?.LogWarning("{Count} tensors in the checkpoint are not model parameters and were ignored.", unused);
        }

        logger?.LogDebug("Loaded {Count} parameters.", loaded);
    }

    /// <summary>
    /// Saves config.json and the weights (LoRA merged) as <c>model.safetensors</c>, or as shards of at most
    /// <paramref name="maxShardBytes"/> with an index, in <paramref name="dtype"/>.
    /// </summary>
    public static void SaveModel(Qwen3ForCausalLM model, string directory, ScalarType dtype, long maxShardBytes = 5L * 1024 * 1024 * 1024)
    {
        ArgumentNullException.ThrowIfNull(model);
        Directory.CreateDirectory(directory);
        var config = model.Config with { TorchDtype = dtype switch { ScalarType.BFloat16 => "bfloat16", ScalarType.Float16 => "float16", _ => "float32" } };
        var sizes = model.named_parameters().Where(p => !p.name.Contains(".lora_", StringComparison.Ordinal))
            .Select(p => (p.name, Bytes: p.parameter.NumberOfElements * SafeTensorDtypes.ElementSize(dtype))).ToList();
        var shards = new List<List<string>>();
        long current = 0;
        foreach (var (name, bytes) in sizes)
        {
            if (shards.Count == 0 || (current + bytes > maxShardBytes && shards[^1].Count > 0))
            {
                shards.Add([]);
                current = 0;
            }

            shards[^1].Add(name);
            current += bytes;
        }

        var metadata = new Dictionary<string, string>(StringComparer.Ordinal) { ["format"] = "pt" };
        var byName = new HashSet<string>(StringComparer.Ordinal);
        var weightMap = new SortedDictionary<string, string>(StringComparer.Ordinal);
        using var exported = new ExportSession(model, dtype);
        for (var i = 0; i < shards.Count; i++)
        {
            var file = shards.Count == 1 ? SingleFile : $"model-{i + 1:00000}-of-{shards.Count:00000}.safetensors";
            var names = shards[i];
            SafeTensorsFile.Write(Path.Combine(directory, file), names.Select(n => (n, exported.Get(n))), metadata);
            exported.Release(names);
            foreach (var n in names)
            {
                weightMap[n] = file;
                byName.Add(n);
            }
        }

        var indexPath = Path.Combine(directory, IndexFile);
        if (shards.Count > 1)
        {
            var total = sizes.Sum(s => s.Bytes);
            var index = new { metadata = new { total_size = total }, weight_map = weightMap };
            File.WriteAllText(indexPath, JsonSerializer.Serialize(index, IndentedJson) + "\n");
        }
        else if (File.Exists(indexPath))
        {
            File.Delete(indexPath);
        }

        config.Save(Path.Combine(directory, "config.json"));
    }

    /// <summary>Produces export tensors lazily (merged LoRA, converted dtype) and frees them shard by shard.</summary>
    private sealed class ExportSession : IDisposable
    {
        private readonly Dictionary<string, (Tensor Tensor, bool Owned)> _source;
        private readonly ScalarType _dtype;
        private readonly Dictionary<string, Tensor> _live = new(StringComparer.Ordinal);

        public ExportSession(Qwen3ForCausalLM model, ScalarType dtype)
        {
            _source = model.ExportWeights().ToDictionary(e => e.Name, e => (e.Tensor, e.Owned), StringComparer.Ordinal);
            _dtype = dtype;
        }

        public Tensor Get(string name)
        {
            var (tensor, _) = _source[name];
            var converted = tensor.detach().to(_dtype).cpu();
            _live[name] = converted;
            return converted;
        }

        public void Release(IEnumerable<string> names)
        {
            foreach (var n in names)
            {
                if (_live.Remove(n, out var t))
                {
                    t.Dispose();
                }
            }
        }

        public void Dispose()
        {
            foreach (var t in _live.Values)
            {
                t.Dispose();
            }

            foreach (var (t, owned) in _source.Values)
            {
                if (owned)
                {
                    t.Dispose();
                }
            }
        }
    }
}
