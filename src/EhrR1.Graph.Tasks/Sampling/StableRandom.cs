namespace EhrR1.Graph.Tasks.Sampling;

/// <summary>
/// A small, fully specified random generator (SplitMix64) so that sampling and candidate shuffles give the same
/// result on every machine and .NET version. Seeded from a number and a string key (FNV-1a of its UTF-16 units).
/// </summary>
public sealed class StableRandom
{
    private ulong _state;

    public StableRandom(long seed, string key = "")
    {
        ArgumentNullException.ThrowIfNull(key);
        _state = Mix((ulong)seed ^ Fnv(key));
    }

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>A uniform integer in [0, maxExclusive).</summary>
    public int NextInt(int maxExclusive)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(maxExclusive);
        return (int)(NextDouble() * maxExclusive);
    }

    public ulong NextUInt64()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>One uniform draw in [0, 1) determined by the seed and the key alone.</summary>
    public static double Uniform(long seed, string key) => new StableRandom(seed, key).NextDouble();

    /// <summary>Shuffles <paramref name="list"/> in place (Fisher-Yates).</summary>
    public void Shuffle<T>(IList<T> list)
    {
        ArgumentNullException.ThrowIfNull(list);
        for (var i = list.Count - 1; i > 0; i--)
        {
            var j = NextInt(i + 1);
            (list[i], list[j]) = (list[j], list[i]);
        }
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    private static ulong Fnv(string key)
    {
        var h = 0xCBF29CE484222325UL;
        foreach (var ch in key)
        {
            h = (h ^ ch) * 0x100000001B3UL;
        }

        return h;
    }
}
