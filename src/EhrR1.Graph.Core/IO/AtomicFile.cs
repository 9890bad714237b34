using System.Globalization;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// Writes files so that a crash or cancellation never leaves a file that looks complete:
/// the content goes to a temporary file beside the target, which is renamed over the target only when complete.
/// </summary>
public static class AtomicFile
{
    /// <summary>The temporary path used while writing <paramref name="path"/>.</summary>
    public static string TempPathFor(string path) =>
        path + ".tmp-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);

    /// <summary>Writes <paramref name="path"/> atomically through a stream callback.</summary>
    public static async Task WriteAsync(string path, Func<Stream, CancellationToken, Task> write, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = TempPathFor(full);
        try
        {
            await using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                await write(stream, cancellationToken);
                await stream.FlushAsync(cancellationToken);
            }

            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="path"/> atomically through a synchronous stream callback.</summary>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var tmp = TempPathFor(full);
        try
        {
            using (var stream = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: false);
            }

            File.Move(tmp, full, overwrite: true);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
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
