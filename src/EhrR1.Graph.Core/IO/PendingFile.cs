namespace EhrR1.Graph.Core.IO;

/// <summary>
/// A file being written under <see cref="TempPath"/> (beside <see cref="Path"/>, named by
/// <see cref="AtomicFile.TempPathFor"/>) that becomes <see cref="Path"/> only on <see cref="Commit"/>; disposed without a
/// commit (a failure, a cancellation), the temporary file is deleted and <see cref="Path"/> is left as it was.
/// Made by <see cref="AtomicFile.Begin"/>.
/// </summary>
public sealed class PendingFile : IDisposable
{
    private bool _committed;

    internal PendingFile(string path, string tempPath)
    {
        Path = path;
        TempPath = tempPath;
    }

    /// <summary>The full path of the finished file.</summary>
    public string Path { get; }

    /// <summary>The full path written until the commit.</summary>
    public string TempPath { get; }

    /// <summary>Renames the complete temporary file over <see cref="Path"/> (replacing it whole). Close it first.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_committed, this);
        File.Move(TempPath, Path, overwrite: true);
        _committed = true;
    }

    /// <summary>Deletes the temporary file unless it was committed.</summary>
    public void Dispose()
    {
        if (!_committed)
        {
            AtomicFile.TryDelete(TempPath);
        }
    }
}
