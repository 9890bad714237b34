using System.Diagnostics;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// A fact that mounts a tmpfs. Before the test, a probe mounts and unmounts a tiny tmpfs; where that is not allowed
/// (not Linux, not root, or a container without mount permission) the test is skipped with the probe's reason, which
/// the test run prints and counts as skipped, never as passed.
/// </summary>
public sealed class RequiresTmpfsFactAttribute : FactAttribute
{
    private static readonly Lazy<string?> Unavailable = new(Probe);

    public RequiresTmpfsFactAttribute()
    {
        if (Unavailable.Value is { } reason)
        {
            Skip = "A real full-disk test needs a tmpfs mount, which this machine refuses: " + reason;
        }
    }

    private static string? Probe()
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return "it needs Linux and root";
        }

        var folder = Directory.CreateTempSubdirectory("ehrr1-tmpfs-probe-").FullName;
        try
        {
            if (Run("mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", folder) is { } mountError)
            {
                return mountError;
            }

            return Run("umount", folder);
        }
        finally
        {
            try
            {
                Directory.Delete(folder);
            }
            catch (IOException)
            {
                // still mounted after a failed umount: left for the machine's temp cleanup
            }
        }
    }

    private static string? Run(string file, params string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
            foreach (var a in args)
            {
                info.ArgumentList.Add(a);
            }

            using var p = Process.Start(info)!;
            var error = p.StandardError.ReadToEnd();
            p.WaitForExit();
            return p.ExitCode == 0 ? null : $"{file} exited {p.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return $"{file} could not be started: {ex.Message}";
        }
    }
}
