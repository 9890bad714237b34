using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Umls.Indexing;

/// <summary>TUI → semantic group (the Semantic Network's SemGroups.txt: <c>GROUP|Group name|TUI|Type name</c>).</summary>
internal sealed class SemanticGroups
{
    private readonly Dictionary<string, string> _groupOfType = new(StringComparer.Ordinal);

    public Dictionary<string, string> TypeNames { get; } = new(StringComparer.Ordinal);

    public static SemanticGroups Empty { get; } = new();

    public string? GroupOf(string tui) => _groupOfType.GetValueOrDefault(tui);

    public int Count => _groupOfType.Count;

    public static SemanticGroups Load(string path)
    {
        var groups = new SemanticGroups();
        foreach (var (lineNumber, line) in RrfText.ReadFile(path, Path.GetFileName(path), CancellationToken.None))
        {
            if (line.Length == 0)
            {
                continue;
            }

            var f = line.Split('|');
            if (f.Length < 4 || f[2].Length != 4 || f[2][0] != 'T')
            {
                throw new InputDataException("EHR-UMLS-004", Path.GetFileName(path), lineNumber, null, "malformed semantic group line",
                    expected: "GROUP|Group name|TUI|Type name", found: $"{f.Length} fields");
            }

            groups._groupOfType[f[2]] = f[0];
            groups.TypeNames[f[2]] = f[3];
        }

        return groups;
    }

    /// <summary>The file named, else SemGroups.txt in the RRF folder, else the shared data's Semantic Network folder.</summary>
    public static string? Locate(string? explicitPath, string rrfDirectory)
    {
        if (explicitPath is not null)
        {
            return File.Exists(explicitPath)
                ? explicitPath
                : throw new StageConfigurationException($"Semantic groups file {explicitPath} does not exist.");
        }

        var beside = Path.Combine(rrfDirectory, "SemGroups.txt");
        if (File.Exists(beside))
        {
            return beside;
        }

        var shared = Core.DataLocations.FindDataset("umls-semantic-network");
        return shared is not null && File.Exists(Path.Combine(shared, "SemGroups.txt")) ? Path.Combine(shared, "SemGroups.txt") : null;
    }
}
