using System.Globalization;

namespace EhrR1.Graph.Benchmarks;

/// <summary>The <c>--name value</c> options of a benchmark's arguments.</summary>
internal static class BenchmarkArgs
{
    /// <summary>The value after <paramref name="name"/>, or null when the option is absent or has no value.</summary>
    public static string? Get(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }

    /// <summary>The value after <paramref name="name"/>, or <paramref name="fallback"/>.</summary>
    public static string Get(string[] args, string name, string fallback) => Get(args, name) ?? fallback;

    /// <summary>The integer after <paramref name="name"/> (invariant culture), or <paramref name="fallback"/>.</summary>
    public static int Get(string[] args, string name, int fallback) =>
        Get(args, name) is { } value ? int.Parse(value, CultureInfo.InvariantCulture) : fallback;
}
