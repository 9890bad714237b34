using EhrR1.Graph.Umls.Rrf;
using EhrR1.Graph.Umls.Text;

namespace EhrR1.Graph.Umls.Indexing;

/// <summary>Settings of <c>ehr-graph umls build-index</c>.</summary>
internal sealed record IndexBuildSettings
{
    /// <summary>Folder with MRCONSO.RRF and MRSTY.RRF (and MRFILES.RRF when present).</summary>
    public required string RrfDirectory { get; init; }

    /// <summary>Index folder to create (replaced atomically).</summary>
    public required string OutputDirectory { get; init; }

    /// <summary>SemGroups.txt (GROUP|Name|TUI|Type); null: look in the RRF folder, then the shared data.</summary>
    public string? SemanticGroupsFile { get; init; }

    public RrfFilterSettings Filter { get; init; } = new();

    public NormalizationSettings Normalization { get; init; } = new();

    /// <summary>Lucene RAM buffer in MiB. Default 256.</summary>
    public double RamBufferMb { get; init; } = 256;

    /// <summary>Merge the index into one segment at the end (faster queries). Default true.</summary>
    public bool ForceMerge { get; init; } = true;

    public bool Force { get; init; }

    public IEnumerable<string> Validate()
    {
        if (Normalization.MinLength < 1)
        {
            yield return "--min-length must be at least 1.";
        }

        if (Normalization.NgramLength is < 2 or > 5)
        {
            yield return "--ngram must be between 2 and 5.";
        }

        if (RamBufferMb is < 16 or > 2048)
        {
            yield return "--ram-buffer-mb must be between 16 and 2048.";
        }
    }
}
