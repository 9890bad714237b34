using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.SafeTensors;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Training;

/// <summary>
/// Step checkpoints of a trainer (SFT and GRPO share the layout): <c>OUT/checkpoints/step-NNNNNNN/</c> with the
/// trainable weights (<c>trainable.safetensors</c>), the optimizer state (<c>optimizer.safetensors</c>) and the
/// trainer's own state (<c>state.json</c>, which carries at least the seed). Each checkpoint is written atomically;
/// the oldest beyond the keep count are removed.
/// </summary>
internal static class TrainingCheckpoints
{
    public const string Folder = "checkpoints";

    /// <summary>Writes checkpoint <paramref name="step"/>; returns its folder name.</summary>
    public static string Save<TState>(string outputDirectory, int step, Qwen3ForCausalLM model, AdamW optimizer, TState state, int keep)
    {
        var root = Path.Combine(outputDirectory, Folder);
        var name = "step-" + step.ToString("D7", CultureInfo.InvariantCulture);
        using (var staging = AtomicDirectory.Begin(Path.Combine(root, name), force: true))
        {
            SafeTensorsFile.Write(Path.Combine(staging.StagingPath, "trainable.safetensors"), model.TrainableParameters().Select(p => (p.Name, (Tensor)p.Parameter)));
            SafeTensorsFile.Write(Path.Combine(staging.StagingPath, "optimizer.safetensors"), optimizer.State());
            File.WriteAllText(Path.Combine(staging.StagingPath, "state.json"), JsonSerializer.Serialize(state, JsonDefaults.Indented));
            staging.Commit();
        }

        foreach (var old in Directory.GetDirectories(root, "step-*").Order(StringComparer.Ordinal).SkipLast(Math.Max(1, keep)))
        {
            Directory.Delete(old, recursive: true);
        }

        return name;
    }

    /// <summary>
    /// The latest complete checkpoint under <paramref name="outputDirectory"/> and its state, or null when there is
    /// none; a checkpoint made with another seed is refused (exit 1), since resuming it would not repeat the run.
    /// </summary>
    public static (string Folder, TState State)? Latest<TState>(string outputDirectory, int seed, Func<TState, int> seedOf)
    {
        var root = Path.Combine(outputDirectory, Folder);
        var latest = !Directory.Exists(root) ? null
            : Directory.GetDirectories(root, "step-*").Where(d => File.Exists(Path.Combine(d, "state.json"))).Order(StringComparer.Ordinal).LastOrDefault();
        if (latest is null)
        {
            return null;
        }

        var statePath = Path.Combine(latest, "state.json");
        var state = JsonSerializer.Deserialize<TState>(File.ReadAllText(statePath), JsonDefaults.Indented)
            ?? throw new InputDataException("EHR-TRN-030", statePath, null, null, "empty checkpoint state");
        if (seedOf(state) != seed)
        {
            throw new StageConfigurationException($"checkpoint {latest} was made with --seed {seedOf(state)}, not {seed}; pass the same seed or --no-resume with a new output folder.");
        }

        return (latest, state);
    }

    /// <summary>Loads a checkpoint's trainable weights and optimizer state into <paramref name="model"/> and
    /// <paramref name="optimizer"/>.</summary>
    public static void Restore(string checkpoint, Qwen3ForCausalLM model, AdamW optimizer)
    {
        using (var weights = SafeTensorsFile.Open(Path.Combine(checkpoint, "trainable.safetensors")))
        using (no_grad())
        {
            foreach (var (name, p) in model.TrainableParameters())
            {
                if (!weights.Entries.ContainsKey(name))
                {
                    throw new StageConfigurationException($"checkpoint {checkpoint} lacks trainable weight '{name}': it was made with other LoRA/full settings.");
                }

                using var t = weights.Read(name);
                p.copy_(t);
            }
        }

        using var opt = SafeTensorsFile.Open(Path.Combine(checkpoint, "optimizer.safetensors"));
        optimizer.LoadState(opt.Read);
    }
}
