using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>
/// A set of sample ids stored as 128-bit digests (SHA-256 prefix): about 40 bytes per id instead of a string,
/// so 300k ids take ~12 MB. Collisions are practically impossible at this scale (p ≈ n²/2¹²⁹).
/// </summary>
public sealed class SampleKeySet
{
    private readonly HashSet<UInt128> _set = [];

    public int Count => _set.Count;

    public bool Add(string key) => _set.Add(Digest(key));

    public bool Contains(string key) => _set.Contains(Digest(key));

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
}
