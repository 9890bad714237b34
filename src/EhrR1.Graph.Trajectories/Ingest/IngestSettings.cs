namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>Settings of <c>ehr-graph ingest</c>.</summary>
/// <param name="MimicDirectory">A MIMIC-IV release folder holding some of <c>hosp/</c>, <c>ed/</c>, <c>icu/</c>, <c>note/</c>.</param>
/// <param name="OutputDirectory">The trajectory store folder to write.</param>
public sealed record IngestSettings(string MimicDirectory, string OutputDirectory)
{
    /// <summary>Overwrite an existing store even when it is up to date.</summary>
    public bool Force { get; init; }

    /// <summary>Optional CCS map: CSV <c>kind,icd_version,icd_code,ccs_title</c> (kind = diagnoses|procedures).</summary>
    public string? CcsMapPath { get; init; }

    /// <summary>Optional ATC map: CSV <c>ndc,atc_name</c>.</summary>
    public string? AtcMapPath { get; init; }

    /// <summary>Tables read from another path, keyed <c>module/table</c> (e.g. <c>icu/chartevents</c>).</summary>
    public IReadOnlyDictionary<string, string> ExtraTables { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Parallel table readers in the spill phase (default 2).</summary>
    public int Workers { get; init; } = 2;

    /// <summary>Total bytes of sort buffers over all workers (default 512 MiB).</summary>
    public long SortBufferBytes { get; init; } = 512L << 20;

    /// <summary>Validates the settings; empty when valid.</summary>
    public IEnumerable<string> Validate()
    {
        if (string.IsNullOrWhiteSpace(MimicDirectory) || !Directory.Exists(MimicDirectory))
        {
            yield return $"--mimic: folder '{MimicDirectory}' does not exist. Point it at a MIMIC-IV release (with hosp/, icu/, ed/ or note/), or run ehr-graph download-demo.";
        }
        else if (!TableCatalog.Modules.Any(m => Directory.Exists(Path.Combine(MimicDirectory, m))) && ExtraTables.Count == 0)
        {
            yield return $"--mimic: folder '{MimicDirectory}' has none of the modules hosp/, ed/, icu/, note/.";
        }

        if (string.IsNullOrWhiteSpace(OutputDirectory))
        {
            yield return "--out: an output folder is required.";
        }

        foreach (var (name, path) in new[] { ("--ccs-map", CcsMapPath), ("--atc-map", AtcMapPath) })
        {
            if (path is not null && !File.Exists(path))
            {
                yield return $"{name}: file '{path}' does not exist.";
            }
        }

        foreach (var (key, path) in ExtraTables)
        {
            var parts = key.Split('/');
            if (parts.Length != 2 || TableCatalog.Find(parts[0], parts[1]) is null)
            {
                yield return $"--extra-table: '{key}' is not a known event table (use module/table, e.g. icu/chartevents).";
            }

            if (!File.Exists(path))
            {
                yield return $"--extra-table: file '{path}' for {key} does not exist.";
            }
        }

        if (Workers is < 1 or > 64)
        {
            yield return "--threads must be between 1 and 64.";
        }

        if (SortBufferBytes < 16L << 20)
        {
            yield return "The sort buffer must be at least 16 MiB.";
        }
    }
}
