using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace EhrR1.Graph.Reasoning.Input;

/// <summary>Stable ids for records that lack <c>sample_id</c> (the released EHR-Bench format).</summary>
public static class SampleIds
{
    /// <summary><c>{task}:idx{idx}:{first 12 hex digits of SHA-256(input)}</c> — stable across runs and file order.</summary>
    public static string Fallback(string task, long idx, string input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(input)))[..12];
        return string.Create(CultureInfo.InvariantCulture, $"{task}:idx{idx}:{hash}");
    }
}
