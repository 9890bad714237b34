using System.Text;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>Stable assignment of samples to shards: FNV-1a 64 of the UTF-8 sample id, modulo the shard count.</summary>
internal static class Sharding
{
    public static int ShardOf(string sampleId, int shardCount)
    {
        ArgumentNullException.ThrowIfNull(sampleId);
        const ulong offset = 14695981039346656037UL;
        const ulong prime = 1099511628211UL;
        var hash = offset;
        Span<byte> buffer = stackalloc byte[256];
        var bytes = Encoding.UTF8.GetByteCount(sampleId) <= buffer.Length
            ? buffer[..Encoding.UTF8.GetBytes(sampleId, buffer)]
            : Encoding.UTF8.GetBytes(sampleId);
        foreach (var b in bytes)
        {
            hash ^= b;
            hash *= prime;
        }

        return (int)(hash % (ulong)shardCount);
    }

    /// <summary>Parses "i/n" (0 ≤ i &lt; n).</summary>
    public static bool TryParse(string text, out int index, out int count)
    {
        index = 0;
        count = 1;
        var parts = text.Split('/');
        return parts.Length == 2
            && int.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index)
            && int.TryParse(parts[1], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out count)
            && count >= 1 && index < count;
    }
}
