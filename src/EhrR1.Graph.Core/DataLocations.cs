namespace EhrR1.Graph.Core;

/// <summary>
/// Finds the open data that sits beside the project (<c>../shared/data</c>) or that an environment variable names.
/// Data is never copied into the repository.
/// </summary>
public static class DataLocations
{
    /// <summary>Environment variable naming the shared data root (the folder that holds <c>mimic-iv-demo-2.2/</c>).</summary>
    public const string DataRootVariable = "EHRR1_DATA";

    /// <summary>Environment variable naming a MIMIC-IV release folder (with <c>hosp/</c>, <c>icu/</c>, ...).</summary>
    public const string MimicVariable = "EHRR1_MIMIC";

    /// <summary>
    /// The shared data root: <c>$EHRR1_DATA</c>, else the first <c>shared/data</c> found beside an ancestor of the
    /// current directory or of the application directory. Null when none exists.
    /// </summary>
    public static string? FindDataRoot()
    {
        var env = Environment.GetEnvironmentVariable(DataRootVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "data");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>A sub-folder of the data root, or null.</summary>
    public static string? FindDataset(string name)
    {
        var root = FindDataRoot();
        if (root is null)
        {
            return null;
        }

        var path = Path.Combine(root, name);
        return Directory.Exists(path) || File.Exists(path) ? path : null;
    }

    /// <summary>The MIMIC-IV demo folder: <c>$EHRR1_MIMIC</c>, else <c>mimic-iv-demo-2.2</c> under the data root.</summary>
    public static string? FindMimicDemo()
    {
        var env = Environment.GetEnvironmentVariable(MimicVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            return Directory.Exists(env) ? Path.GetFullPath(env) : null;
        }

        return FindDataset("mimic-iv-demo-2.2");
    }
}
