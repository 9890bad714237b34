namespace EhrR1.Graph.Core.Pipeline;

/// <summary>The naming scheme of run manifests: <c>manifest.json</c> in an output folder, <c>FILE.manifest.json</c> beside an output file.</summary>
public static class StageManifest
{
    /// <summary>The manifest of an output folder.</summary>
    public static string ForFolder(string folder) => Path.Combine(folder, "manifest.json");

    /// <summary>The manifest of an output file.</summary>
    public static string ForFile(string file) => file + ".manifest.json";
}
