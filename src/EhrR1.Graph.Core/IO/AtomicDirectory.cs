using System.Globalization;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// Builds a directory under a temporary name beside the target and moves it into place when complete,
/// so a failed or cancelled run leaves either the previous output or nothing.
/// </summary>
public sealed class AtomicDirectory : IDisposable
{
    private bool _committed;

    private AtomicDirectory(string target, string staging)
    {
        Target = target;
        StagingPath = staging;
    }

    /// <summary>The final directory.</summary>
    public string Target { get; }

    /// <summary>The directory to write into until <see cref="Commit"/>.</summary>
    public string StagingPath { get; }

    /// <summary>
    /// Starts building <paramref name="target"/>. Fails when the target exists and <paramref name="force"/> is false.
    /// </summary>
    public static AtomicDirectory Begin(string target, bool force)
    {
        var full = Path.GetFullPath(target);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !force)
        {
            throw new Errors.StageConfigurationException(
                $"Output folder {full} already exists and is not empty. Pass --force to overwrite it, or choose another output folder.");
        }

        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, "." + Path.GetFileName(full) + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        return new AtomicDirectory(full, staging);
    }

    /// <summary>Replaces the target with the staging directory.</summary>
    public void Commit()
    {
        if (Directory.Exists(Target))
        {
            var old = Target + ".old-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            Directory.Move(Target, old);
            Directory.Move(StagingPath, Target);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(StagingPath, Target);
        }

        _committed = true;
    }

    /// <summary>Removes the staging directory when <see cref="Commit"/> was not called.</summary>
    public void Dispose()
    {
        if (!_committed && Directory.Exists(StagingPath))
        {
            try
            {
                Directory.Delete(StagingPath, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
