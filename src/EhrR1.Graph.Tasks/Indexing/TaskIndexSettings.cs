using EhrR1.Graph.Tasks.Definitions;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>Settings of <c>ehr-graph tasks index</c>.</summary>
public sealed record TaskIndexSettings
{
    /// <summary>The trajectory store folder (recorded in the manifest).</summary>
    public required string StorePath { get; init; }

    /// <summary>The output folder (replaced atomically).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>How the context window is delimited; default contiguous (no events of other admissions). Upstream also selects upstream's instance rules and <c>target_weight</c>.</summary>
    public ContextWindowMode WindowMode { get; init; } = ContextWindowMode.Contiguous;

    /// <summary>Context window length in hours (upstream 24).</summary>
    public double WindowHours { get; init; } = 24;

    /// <summary>Only these tasks (null = all 46).</summary>
    public IReadOnlySet<string>? Tasks { get; init; }

    /// <summary>Overwrite a non-empty output folder.</summary>
    public bool Force { get; init; }

    public IEnumerable<string> Validate()
    {
        if (WindowHours is <= 0 or > 24 * 365)
        {
            yield return $"--window-hours must be in (0, 8760]; got {WindowHours}.";
        }

        if (Tasks is not null)
        {
            foreach (var t in Tasks.Order(StringComparer.Ordinal))
            {
                if (TaskCatalog.Find(t) is null)
                {
                    yield return $"--task {t}: unknown task. Known tasks: {string.Join(", ", TaskCatalog.All.Select(d => d.Name))}.";
                }
            }
        }
    }
}
