using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace EhrR1.Graph.Core.Formats;

/// <summary>
/// The one rule for the id of an EHR-Bench record that has no <c>sample_id</c> (the released format), used by every
/// reader of the format (evaluation, reasoning synthesis), so a record has the same id in predictions and chains:
/// <c>{task}:idx{idx}:{first 12 hex digits of SHA-256(instruction, NUL, input)}</c>, where idx is the record's
/// <c>idx</c>, else its line number − 1. Stable across runs and resumes.
/// </summary>
public static class EhrBenchSampleIds
{
    /// <summary>A record's <c>idx</c> as written (a number's text, or a non-blank string), or null.</summary>
    public static string? IdxOf(JsonElement record) =>
        record.ValueKind == JsonValueKind.Object && record.TryGetProperty("idx", out var idx)
            ? idx.ValueKind switch
            {
                JsonValueKind.Number => idx.GetRawText(),
                JsonValueKind.String when !string.IsNullOrWhiteSpace(idx.GetString()) => idx.GetString(),
                _ => null,
            }
            : null;

    /// <summary>The derived id of a record of <paramref name="task"/>; <paramref name="idx"/> is the record's
    /// <c>idx</c> as written (a number or a string), or null to use <paramref name="lineNumber"/> − 1.</summary>
    public static string Derive(string task, string? idx, long lineNumber, string instruction, string input)
    {
        ArgumentNullException.ThrowIfNull(task);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes((instruction ?? string.Empty) + "\u0000" + (input ?? string.Empty))))[..12];
        var index = string.IsNullOrWhiteSpace(idx) ? (lineNumber - 1).ToString(CultureInfo.InvariantCulture) : idx.Trim();
        return string.Create(CultureInfo.InvariantCulture, $"{task}:idx{index}:{hash}");
    }
}
