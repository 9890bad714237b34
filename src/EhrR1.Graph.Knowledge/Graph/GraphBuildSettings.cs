using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>Settings of <c>ehr-graph graph build</c>.</summary>
public sealed record GraphBuildSettings
{
    /// <summary>Output folder of <c>graph cooccur</c> (pairs.jsonl), or null for a UMLS-only graph.</summary>
    public string? CooccurrenceDirectory { get; init; }

    /// <summary>Folder with MRCONSO.RRF, MRSTY.RRF and MRREL.RRF, or null.</summary>
    public string? RrfDirectory { get; init; }

    /// <summary>SemGroups.txt (GROUP|Name|TUI|Type) for the semantic group of each concept, or null.</summary>
    public string? SemanticGroupsFile { get; init; }

    /// <summary>The output folder (graph.bin + manifest.json).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>Language of the names taken from MRCONSO.</summary>
    public string Language { get; init; } = "ENG";

    /// <summary>Keep MRREL rows whose SUPPRESS flag is O, E or Y (obsolete or suppressible); default drops them.</summary>
    public bool KeepSuppressedRelations { get; init; }

    /// <summary>At most this many CO_OCCURS edges per (task, target term), by lift (0 = all).</summary>
    public int MaxPerTarget { get; init; }

    /// <summary>Resolves terms that MRCONSO has no exact (case-insensitive) string for; null = none.</summary>
    public IConceptResolver? Resolver { get; init; }

    public bool Force { get; init; }

    public IEnumerable<string> Validate()
    {
        if (CooccurrenceDirectory is null && RrfDirectory is null)
        {
            yield return "Pass --cooccurrence (the output of `graph cooccur`), --rrf (a UMLS RRF folder), or both.";
        }

        if (MaxPerTarget < 0)
        {
            yield return $"--max-per-target must be >= 0 (0 = all); got {MaxPerTarget}.";
        }
    }
}
