using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// Describes how an output was made: stage, tool version, settings (never secrets), inputs with fingerprints,
/// counts and elapsed time. Written as <c>manifest.json</c> in an output folder or as <c>&lt;output&gt;.manifest.json</c>.
/// </summary>
public sealed record RunManifest
{
    /// <summary>Stage name, e.g. "ingest".</summary>
    public required string Stage { get; init; }

    /// <summary>Tool version.</summary>
    public string ToolVersion { get; init; } = CurrentToolVersion;

    /// <summary>When the output was completed (UTC, ISO 8601).</summary>
    public string CreatedUtc { get; init; } = DateTime.UtcNow.ToString("O", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The settings used (no secrets).</summary>
    public IReadOnlyDictionary<string, string?> Settings { get; init; } = new Dictionary<string, string?>();

    /// <summary>Fingerprints of the inputs.</summary>
    public IReadOnlyList<FileFingerprint> Inputs { get; init; } = [];

    /// <summary>Named counts (rows, events, samples, ...).</summary>
    public IReadOnlyDictionary<string, long> Counts { get; init; } = new Dictionary<string, long>();

    /// <summary>Wall-clock seconds the stage took.</summary>
    public double ElapsedSeconds { get; init; }

    /// <summary>The informational version of the running tool.</summary>
    public static string CurrentToolVersion { get; } =
        typeof(RunManifest).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";

    /// <summary>Writes the manifest atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, JsonSerializer.Serialize(this, JsonDefaults.Indented) + "\n");

    /// <summary>The setting that states the terms of the data an output was built from (opt-in sources with
    /// non-commercial or research-use terms); every stage downstream of the vocabulary carries it on.</summary>
    public const string TermsSetting = "terms";

    /// <summary>
    /// The data terms recorded by the stage that wrote <paramref name="path"/>: the manifest of a folder
    /// (<c>manifest.json</c>) or beside a file (<c>FILE.manifest.json</c>), or null when none says. A broken manifest
    /// counts as none (the terms are then unknown, not wrong).
    /// </summary>
    public static string? TermsOf(string? path)
    {
        if (string.IsNullOrEmpty(path))
        {
            return null;
        }

        string[] candidates = Directory.Exists(path)
            ? [Path.Combine(path, "manifest.json")]
            : [path + ".manifest.json", Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", "manifest.json")];
        foreach (var candidate in candidates)
        {
            try
            {
                if (TryLoad(candidate)?.Settings.GetValueOrDefault(TermsSetting) is { Length: > 0 } terms)
                {
                    return terms;
                }
            }
            catch (JsonException)
            {
                // not a run manifest: no terms from it
            }
        }

        return null;
    }

    /// <summary>True when <paramref name="terms"/> restrict use (an opt-in source is in the data).</summary>
    public static bool IsRestricted(string? terms) => terms is not null && terms.StartsWith("NON-COMMERCIAL", StringComparison.Ordinal);

    /// <summary>Loads a manifest, or null when the file does not exist.</summary>
    public static RunManifest? TryLoad(string path) =>
        File.Exists(path) ? JsonSerializer.Deserialize<RunManifest>(File.ReadAllText(path), JsonDefaults.Indented) : null;
}

/// <summary>Identifies an input file: path, size, modification time and, for files up to a size limit, SHA-256.</summary>
public sealed record FileFingerprint(string Path, long Length, string LastWriteUtc, string? Sha256)
{
    /// <summary>Fingerprints a file; hashes it when it is at most <paramref name="hashLimitBytes"/> long.</summary>
    public static FileFingerprint Of(string path, long hashLimitBytes = 256L << 20)
    {
        var info = new FileInfo(path);
        string? sha = null;
        if (info.Length <= hashLimitBytes)
        {
            using var s = info.OpenRead();
            sha = Convert.ToHexStringLower(SHA256.HashData(s));
        }

        return new FileFingerprint(path, info.Length, info.LastWriteTimeUtc.ToString("O", System.Globalization.CultureInfo.InvariantCulture), sha);
    }
}
