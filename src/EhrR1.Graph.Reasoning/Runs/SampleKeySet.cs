using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>
/// A set of sample ids stored as 128-bit digests (SHA-256 prefix; a collision is practically impossible:
/// p ≈ n²/2¹²⁹) in a compact form: a sorted array of digests, searched by bisection, plus a small hash set of the
/// latest additions that is merged into the array whenever it reaches 1/16 of it. About 24 bytes per id measured
/// at 300k ids (16 in the array, up to a quarter more of room to grow, plus the small set) instead of ~39 for a
/// hash set of digests.
/// </summary>
public sealed class SampleKeySet
{
    private const int MinimumMerge = 4096;
    private readonly HashSet<UInt128> _recent = [];
    private UInt128[] _sorted = [];
    private int _sortedCount;

    public int Count => _sortedCount + _recent.Count;

    public bool Add(string key)
    {
        var digest = Digest(key);
        if (InSorted(digest) || !_recent.Add(digest))
        {
            return false;
        }

        if (_recent.Count >= Math.Max(MinimumMerge, _sortedCount / 16))
        {
            Merge();
        }

        return true;
    }

    public bool Contains(string key)
    {
        var digest = Digest(key);
        return _recent.Contains(digest) || InSorted(digest);
    }

    public static UInt128 Digest(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        Span<byte> hash = stackalloc byte[32];
        var max = Encoding.UTF8.GetMaxByteCount(key.Length);
        Span<byte> bytes = max <= 512 ? stackalloc byte[max] : new byte[max];
        var n = Encoding.UTF8.GetBytes(key, bytes);
        SHA256.HashData(bytes[..n], hash);
        return new UInt128(BinaryPrimitives.ReadUInt64LittleEndian(hash), BinaryPrimitives.ReadUInt64LittleEndian(hash[8..]));
    }

    private bool InSorted(UInt128 digest) => _sortedCount > 0 && _sorted.AsSpan(0, _sortedCount).BinarySearch(digest) >= 0;

    private void Merge()
    {
        var incoming = new UInt128[_recent.Count];
        _recent.CopyTo(incoming);
        Array.Sort(incoming);
        var total = _sortedCount + incoming.Length;
        if (total > _sorted.Length)
        {
            // Grow by a quarter so that the array is not copied at every merge.
            var grown = new UInt128[Math.Max(total, _sorted.Length + (_sorted.Length / 4))];
            Array.Copy(_sorted, grown, _sortedCount);
            _sorted = grown;
        }

        // Merge from the back, in place: the free tail of the array receives the larger digests first.
        int i = _sortedCount - 1, j = incoming.Length - 1, k = total - 1;
        while (j >= 0)
        {
            _sorted[k--] = i >= 0 && _sorted[i] > incoming[j] ? _sorted[i--] : incoming[j--];
        }

        _sortedCount = total;
        // Clear keeps the set's capacity for the next batch, which is at least as large.
        _recent.Clear();
    }
}
