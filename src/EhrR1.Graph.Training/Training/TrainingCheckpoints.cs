using System.Globalization;
using System.IO.Hashing;
using System.Text.Json;
using System.Text.Json.Nodes;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.SafeTensors;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Training;

/// <summary>
/// Step checkpoints of a trainer (SFT and GRPO share the layout): <c>OUT/checkpoints/step-NNNNNNN/</c> with the
/// trainable weights (<c>trainable.safetensors</c>), the optimizer state (<c>optimizer.safetensors</c>) and the
/// trainer's own state (<c>state.json</c>, which carries at least the seed), and <c>checkpoint.json</c>: the format
/// version and each of those files' length and XxHash64. Each checkpoint is written atomically; the oldest beyond the
/// keep count are removed. Resuming checks the latest checkpoint against its <c>checkpoint.json</c> first: a damaged or
/// cut-short file (EHR-TRN-031) or a checkpoint of an older format (EHR-TRN-032) is an error that names the folder.
/// </summary>
internal static class TrainingCheckpoints
{
    public const string Folder = "checkpoints";
    public const string ManifestFile = "checkpoint.json";
    public const string TrainableFile = "trainable.safetensors";
    public const string OptimizerFile = "optimizer.safetensors";
    public const string StateFile = "state.json";

    /// <summary>Format 1 had no checkpoint.json; format 2 adds it with the files' lengths and checksums.</summary>
    private const string Format = "ehr-r1-checkpoint/2";
    private static readonly string[] CheckedFiles = [TrainableFile, OptimizerFile, StateFile];

    /// <summary>Writes checkpoint <paramref name="step"/>; returns its folder name.</summary>
    public static string Save<TState>(string outputDirectory, int step, Qwen3ForCausalLM model, AdamW optimizer, TState state, int keep)
    {
        var root = Path.Combine(outputDirectory, Folder);
        var name = "step-" + step.ToString("D7", CultureInfo.InvariantCulture);
        using (var staging = AtomicDirectory.Begin(Path.Combine(root, name), force: true))
        {
            SafeTensorsFile.Write(Path.Combine(staging.StagingPath, TrainableFile), model.TrainableParameters().Select(p => (p.Name, (Tensor)p.Parameter)));
            SafeTensorsFile.Write(Path.Combine(staging.StagingPath, OptimizerFile), optimizer.State());
            File.WriteAllText(Path.Combine(staging.StagingPath, StateFile), JsonSerializer.Serialize(state, JsonDefaults.Indented));
            WriteManifest(staging.StagingPath);
            staging.Commit();
        }

        foreach (var old in Directory.GetDirectories(root, "step-*").Order(StringComparer.Ordinal).SkipLast(Math.Max(1, keep)))
        {
            Directory.Delete(old, recursive: true);
        }

        return name;
    }

    /// <summary>
    /// The latest checkpoint under <paramref name="outputDirectory"/> and its state, or null when there is none. Its
    /// files are checked against its <c>checkpoint.json</c> first; a damaged checkpoint, one of an older format, or one
    /// made with another seed is refused (exit 1), since resuming it would not repeat the run.
    /// </summary>
    public static (string Folder, TState State)? Latest<TState>(string outputDirectory, int seed, Func<TState, int> seedOf)
    {
        var root = Path.Combine(outputDirectory, Folder);
        var latest = !Directory.Exists(root) ? null
            : Directory.GetDirectories(root, "step-*").Order(StringComparer.Ordinal).LastOrDefault();
        if (latest is null)
        {
            return null;
        }

        Verify(latest);
        var statePath = Path.Combine(latest, StateFile);
        var state = JsonSerializer.Deserialize<TState>(File.ReadAllText(statePath), JsonDefaults.Indented)
            ?? throw new InputDataException("EHR-TRN-030", statePath, null, null, "empty checkpoint state");
        if (seedOf(state) != seed)
        {
            throw new StageConfigurationException($"checkpoint {latest} was made with --seed {seedOf(state)}, not {seed}; pass the same seed or --restart with a new output folder.");
        }

        return (latest, state);
    }

    /// <summary>Loads a checkpoint's trainable weights and optimizer state into <paramref name="model"/> and
    /// <paramref name="optimizer"/>.</summary>
    public static void Restore(string checkpoint, Qwen3ForCausalLM model, AdamW optimizer)
    {
        using (var weights = SafeTensorsFile.Open(Path.Combine(checkpoint, TrainableFile)))
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

        using var opt = SafeTensorsFile.Open(Path.Combine(checkpoint, OptimizerFile));
        optimizer.LoadState(opt.Read);
    }

    /// <summary>
    /// Checks a checkpoint folder against its <c>checkpoint.json</c>: the format version, and each file's length and
    /// XxHash64. Throws <see cref="InputDataException"/> naming the folder or file and what to delete.
    /// </summary>
    public static void Verify(string checkpoint)
    {
        var manifestPath = Path.Combine(checkpoint, ManifestFile);
        var fix = $"Delete the folder {checkpoint} to resume from the checkpoint before it, or pass --restart to train afresh";
        if (!File.Exists(manifestPath))
        {
            throw new InputDataException("EHR-TRN-032", checkpoint, null, null,
                $"the checkpoint has no {ManifestFile}: it was written by an older build, before checkpoints carried checksums",
                expected: Format, found: "format 1", fix: fix);
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(manifestPath));
        }
        catch (JsonException ex)
        {
            throw new InputDataException("EHR-TRN-031", manifestPath, null, null, "the checkpoint manifest is damaged: not valid JSON", fix: fix, innerException: ex);
        }

        var format = (root?["format"] as JsonValue)?.TryGetValue<string>(out var f) == true ? f : null;
        if (!string.Equals(format, Format, StringComparison.Ordinal))
        {
            var older = format is not null && format.StartsWith("ehr-r1-checkpoint/", StringComparison.Ordinal);
            throw new InputDataException(older ? "EHR-TRN-032" : "EHR-TRN-031", manifestPath, null, "format",
                older ? "the checkpoint is of another format version" : "the checkpoint manifest is damaged", expected: Format, found: format ?? "none", fix: fix);
        }

        foreach (var name in CheckedFiles)
        {
            var path = Path.Combine(checkpoint, name);
            var entry = root?["files"]?[name];
            var bytes = (entry?["bytes"] as JsonValue)?.TryGetValue<long>(out var b) == true ? b : (long?)null;
            var hash = (entry?["xxhash64"] as JsonValue)?.TryGetValue<string>(out var h) == true ? h : null;
            if (bytes is null || hash is null)
            {
                throw new InputDataException("EHR-TRN-031", manifestPath, null, "files." + name, "the checkpoint manifest is damaged: the entry lacks bytes or xxhash64", fix: fix);
            }

            if (!File.Exists(path))
            {
                throw new InputDataException("EHR-TRN-031", path, null, null, "the checkpoint file is missing", fix: fix);
            }

            var (length, checksum) = Checksum(path);
            if (length != bytes)
            {
                throw new InputDataException("EHR-TRN-031", path, null, null, "the checkpoint file is damaged: its length differs from checkpoint.json (cut short or appended to)",
                    expected: bytes.Value.ToString(CultureInfo.InvariantCulture) + " bytes", found: length.ToString(CultureInfo.InvariantCulture) + " bytes", fix: fix);
            }

            if (!string.Equals(checksum, hash, StringComparison.Ordinal))
            {
                throw new InputDataException("EHR-TRN-031", path, null, null, "the checkpoint file is damaged: it fails its XxHash64 checksum",
                    expected: hash, found: checksum, fix: fix);
            }
        }
    }

    private static void WriteManifest(string folder)
    {
        var files = new JsonObject();
        foreach (var name in CheckedFiles)
        {
            var (length, checksum) = Checksum(Path.Combine(folder, name));
            files[name] = new JsonObject { ["bytes"] = length, ["xxhash64"] = checksum };
        }

        var manifest = new JsonObject { ["format"] = Format, ["files"] = files };
        File.WriteAllText(Path.Combine(folder, ManifestFile), manifest.ToJsonString(JsonDefaults.Indented) + "\n");
    }

    /// <summary>A file's length and XxHash64 (16 lowercase hex digits), read in 1 MiB blocks.</summary>
    private static (long Length, string Checksum) Checksum(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        var hash = new XxHash64();
        var buffer = new byte[1 << 20];
        long length = 0;
        int n;
        while ((n = stream.Read(buffer)) > 0)
        {
            hash.Append(buffer.AsSpan(0, n));
            length += n;
        }

        return (length, hash.GetCurrentHashAsUInt64().ToString("x16", CultureInfo.InvariantCulture));
    }
}
