using EhrR1.Graph.Core;

namespace EhrR1.Graph.TestSupport;

/// <summary>Locations of the repository and of the shared open data used by tests.</summary>
public static class TestPaths
{
    /// <summary>The repository root (the folder holding EhrR1.Graph.sln).</summary>
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Shared data root (<c>$EHRR1_DATA</c> or <c>../shared/data</c>), or null.</summary>
    public static string? DataRoot => DataLocations.FindDataRoot();

    /// <summary>The MIMIC-IV demo folder, or null.</summary>
    public static string? MimicDemo => DataLocations.FindMimicDemo();

    /// <summary>When set to 1 (CI does), tests that need data or services fail instead of skipping.</summary>
    public static bool RequireIntegration =>
        string.Equals(Environment.GetEnvironmentVariable("EHRR1_REQUIRE_INTEGRATION"), "1", StringComparison.Ordinal);

    /// <summary>The path of a shared dataset; throws with a clear message when it is missing.</summary>
    public static string Dataset(string name) =>
        DataLocations.FindDataset(name)
        ?? throw new InvalidOperationException($"Shared dataset '{name}' not found. Set EHRR1_DATA to the shared data folder (the one that holds mimic-iv-demo-2.2/).");

    /// <summary>A file under tests/TestData.</summary>
    public static string TestData(params string[] parts) => Path.Combine([RepoRoot, "tests", "TestData", .. parts]);

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "EhrR1.Graph.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("EhrR1.Graph.sln not found above " + AppContext.BaseDirectory);
    }
}
