using System.Globalization;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// Writes files so that a crash or cancellation never leaves a file that looks complete:
/// the content goes to a temporary file beside the target, which is renamed over the target only when complete.
/// Every temporary file is named <c>NAME.tmp-PID</c> (<see cref="TempPathFor"/>), so a leftover of a killed run is
/// recognisable and never taken for output. (Resumable append-only outputs, <c>OUT.partial</c>, are not written here:
/// they are kept across a kill on purpose.)
/// </summary>
public static class AtomicFile
{
    /// <summary>The temporary path used while writing <paramref name="path"/>: <c>NAME.tmp-PID</c>, then
    /// <paramref name="suffix"/> when given (an extension a library needs, or a name for a second scratch file).</summary>
    public static string TempPathFor(string path, string? suffix = null) =>
        path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + suffix;

    /// <summary>Starts writing <paramref name="path"/> (its folder is created): write <see cref="PendingFile.TempPath"/>,
    /// close it, then <see cref="PendingFile.Commit"/>; dispose it in any case.</summary>
    public static PendingFile Begin(string path, string? suffix = null)
    {
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        return new PendingFile(full, TempPathFor(full, suffix));
    }

    /// <summary>Writes <paramref name="path"/> atomically through a callback that saves to a file name (for libraries
    /// that write files themselves); the temporary name ends with the target's extension, which some pick the format by.</summary>
    public static void Save(string path, Action<string> save)
    {
        ArgumentNullException.ThrowIfNull(save);
        using var pending = Begin(path, Path.GetExtension(path));
        save(pending.TempPath);
        pending.Commit();
    }

    /// <summary>Writes <paramref name="path"/> atomically through a stream callback.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var pending = Begin(path);
        await using (var stream = new FileStream(pending.TempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
        {
            await write(stream, cancellationToken);
            await stream.FlushAsync(cancellationToken);
        }

        pending.Commit();
    }

    /// <summary>Writes <paramref name="path"/> atomically through a synchronous stream callback.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        using var pending = Begin(path);
        using (var stream = new FileStream(pending.TempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            write(stream);
            stream.Flush(flushToDisk: false);
        }

        pending.Commit();
    }

    /// <summary>Writes text (UTF-8, no BOM) atomically.</summary>
    public static void WriteAllText(string path, string text) =>
        Write(path, s =>
        {
            using var w = new StreamWriter(s, TextEncodings.Utf8NoBom, 1 << 16, leaveOpen: true);
            w.Write(text);
        });

    /// <summary>
    /// Deletes the files in <paramref name="directory"/> named <c>PREFIX&lt;pid&gt;</c> or <c>PREFIX&lt;pid&gt;.anything</c>
    /// whose process no longer runs: the temporary files of a run that was killed before it could remove them
    /// (<see cref="TempPathFor"/> is such a name). Returns the paths it removed, so the caller can log each one.
    /// </summary>
    public static IReadOnlyList<string> RemoveStale(string directory, string prefix)
    {
        ArgumentException.ThrowIfNullOrEmpty(prefix);
        var removed = new List<string>();
        if (!Directory.Exists(directory))
        {
            return removed;
        }

        foreach (var file in Directory.EnumerateFiles(directory, prefix + "*").Order(StringComparer.Ordinal))
        {
            var rest = Path.GetFileName(file)[prefix.Length..];
            var digits = rest.IndexOf('.', StringComparison.Ordinal) is var dot and >= 0 ? rest[..dot] : rest;
            if (!int.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var pid) || pid == Environment.ProcessId || AtomicDirectory.IsRunning(pid))
            {
                continue;
            }

            File.Delete(file);
            removed.Add(file);
        }

        return removed;
    }

    /// <summary>Deletes a file and ignores a missing file or an I/O race.</summary>
    public static void TryDelete(string path)
    {
        try
        {
            if (File.Exists(path))
            {
                File.Delete(path);
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
