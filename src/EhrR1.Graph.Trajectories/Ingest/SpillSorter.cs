namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>
/// Collects encoded rows in a fixed-size arena; when full, sorts them by <see cref="RowKey"/> and writes a sorted
/// run file. Memory is bounded by the arena size whatever the input size. One instance per worker thread.
/// </summary>
internal sealed class SpillSorter
{
    private readonly string _directory;
    private readonly string _prefix;
    private readonly byte[] _arena;
    private RowKey[] _keys;
    private int _count;
    private int _used;

    public SpillSorter(string directory, string prefix, int arenaBytes)
    {
        _directory = directory;
        _prefix = prefix;
        _arena = GC.AllocateUninitializedArray<byte>(arenaBytes);
        _keys = new RowKey[Math.Max(1024, arenaBytes / 128)];
    }

    public List<string> Runs { get; } = [];

    public long SpilledBytes { get; private set; }

    public void Add(ref RowKey key, ReadOnlySpan<byte> payload)
    {
        if (_used + payload.Length > _arena.Length || _count == _keys.Length)
        {
            if (_count == _keys.Length && _used + payload.Length <= _arena.Length / 2)
            {
                Array.Resize(ref _keys, _keys.Length * 2);
            }
            else
            {
                Flush();
            }

            if (payload.Length > _arena.Length)
            {
                throw new InvalidOperationException($"A single row of {payload.Length} bytes exceeds the sort buffer; raise the memory budget.");
            }
        }

        payload.CopyTo(_arena.AsSpan(_used));
        key.Offset = _used;
        key.Length = payload.Length;
        _keys[_count++] = key;
        _used += payload.Length;
    }

    /// <summary>Sorts the buffered rows and writes them as one run file.</summary>
    public void Flush()
    {
        if (_count == 0)
        {
            return;
        }

        Array.Sort(_keys, 0, _count);
        var path = Path.Combine(_directory, $"{_prefix}-{Runs.Count:D5}.run");
        using (var fs = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20))
        {
            Span<byte> header = stackalloc byte[RowKey.Size];
            for (var i = 0; i < _count; i++)
            {
                ref readonly var k = ref _keys[i];
                k.WriteTo(header);
                fs.Write(header);
                fs.Write(_arena, k.Offset, k.Length);
            }

            SpilledBytes += fs.Length;
        }

        Runs.Add(path);
        _count = 0;
        _used = 0;
    }
}
