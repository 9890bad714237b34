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
    /// Staging folders of earlier runs that were killed (<c>.NAME.tmp-PID</c> whose process is gone) are removed;
    /// <paramref name="removedStale"/> is told each path so the caller can log it.
    /// </summary>
    public static AtomicDirectory Begin(string target, bool force, Action<string>? removedStale = null)
    {
        var full = Path.GetFullPath(target);
        if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any() && !force)
        {
            throw new Errors.StageConfigurationException(
                $"Output folder {full} already exists and is not empty. Pass --force to overwrite it, or choose another output folder.");
        }

        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        RemoveStale(parent, "." + Path.GetFileName(full) + ".tmp-", removedStale);
        var staging = Path.Combine(parent, "." + Path.GetFileName(full) + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        if (Directory.Exists(staging))
        {
            Directory.Delete(staging, recursive: true);
        }

        Directory.CreateDirectory(staging);
        return new AtomicDirectory(full, staging);
    }

    /// <summary>Deletes <c>PREFIX&lt;pid&gt;</c> folders in <paramref name="parent"/> whose process no longer runs.</summary>
    private static void RemoveStale(string parent, string prefix, Action<string>? removed)
    {
        foreach (var dir in Directory.EnumerateDirectories(parent, prefix + "*"))
        {
            var suffix = Path.GetFileName(dir)[prefix.Length..];
            if (!int.TryParse(suffix, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || IsRunning(pid))
            {
                continue;
            }

            Directory.Delete(dir, recursive: true);
            removed?.Invoke(dir);
        }
    }

    internal static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
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
