namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>Sequential reader of one sorted run file.</summary>
internal sealed class RunCursor : IDisposable
{
    private readonly FileStream _stream;
    private readonly byte[] _header = new byte[RowKey.Size];
    private byte[] _payload = new byte[256];

    public RunCursor(string path, int bufferSize)
    {
        _stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize, FileOptions.SequentialScan | FileOptions.DeleteOnClose);
    }

    public RowKey Current;

    public ReadOnlySpan<byte> Payload => _payload.AsSpan(0, Current.Length);

    public bool MoveNext()
    {
        var n = _stream.ReadAtLeast(_header, RowKey.Size, throwOnEndOfStream: false);
        if (n == 0)
        {
            return false;
        }

        if (n != RowKey.Size)
        {
            throw new InvalidDataException("A spill run file is truncated (disk full?).");
        }

        Current = RowKey.ReadFrom(_header);
        if (_payload.Length < Current.Length)
        {
            _payload = new byte[Math.Max(Current.Length, _payload.Length * 2)];
        }

        _stream.ReadExactly(_payload, 0, Current.Length);
        return true;
    }

    public void Dispose() => _stream.Dispose();
}
