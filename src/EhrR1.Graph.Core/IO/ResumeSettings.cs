using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// The settings that decide what a resumable output's records hold, kept beside the output as
/// <c>OUTPUT.settings.json</c>. A run that starts the output afresh writes them; a run that continues it compares its own
/// settings with them and refuses (EHR-IO-021) when any differ, so one file never mixes records of two runs.
/// </summary>
public static class ResumeSettings
{
    /// <summary>The settings file of <paramref name="output"/>.</summary>
    public static string PathFor(string output) => output + ".settings.json";

    /// <summary>
    /// When <paramref name="continuing"/>, checks <paramref name="settings"/> against the recorded ones (an output started
    /// before this file existed has none, and is continued as before); otherwise records them.
    /// </summary>
    /// <param name="output">The output (or partial output) the records go to.</param>
    /// <param name="continuing">Whether this run appends to records an earlier run wrote.</param>
    /// <param name="settings">Setting name (as the user passes it, e.g. <c>--topk</c>) to value.</param>
    /// <param name="fix">How to start afresh instead, e.g. "pass another --out".</param>
    public static void CheckOrRecord(string output, bool continuing, IReadOnlyDictionary<string, string?> settings, string fix)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var path = PathFor(output);
        if (continuing && File.Exists(path))
        {
            var recorded = Read(path);
            var differences = new StringBuilder();
            foreach (var key in recorded.Keys.Union(settings.Keys, StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                var old = recorded.GetValueOrDefault(key);
                var now = settings.GetValueOrDefault(key);
                if (!string.Equals(old, now, StringComparison.Ordinal))
                {
                    differences.Append(differences.Length == 0 ? string.Empty : "; ")
                        .Append(key).Append(' ').Append(Show(old)).Append(" before, ").Append(Show(now)).Append(" now");
                }
            }

            if (differences.Length > 0)
            {
                throw new InputDataException(
                    "EHR-IO-021",
                    output,
                    null,
                    null,
                    "the existing records were written with other settings, and continuing would mix two runs in one file",
                    expected: "the settings recorded in " + Path.GetFileName(path),
                    found: differences.ToString(),
                    fix: "Rerun with the earlier settings to continue, or " + fix);
            }

            return;
        }

        var sorted = new SortedDictionary<string, string?>(settings.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal), StringComparer.Ordinal);
        AtomicFile.WriteAllText(path, JsonSerializer.Serialize(new Dictionary<string, object> { ["settings"] = sorted }, JsonDefaults.Indented) + "\n");
    }

    private static string Show(string? value) => value is null ? "(not set)" : "'" + value + "'";

    private static Dictionary<string, string?> Read(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path, TextEncodings.Utf8Strict));
            if (document.RootElement.ValueKind != JsonValueKind.Object
                || !document.RootElement.TryGetProperty("settings", out var settings)
                || settings.ValueKind != JsonValueKind.Object)
            {
                throw new JsonException("no \"settings\" object");
            }

            var map = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var p in settings.EnumerateObject())
            {
                map[p.Name] = p.Value.ValueKind == JsonValueKind.Null ? null : p.Value.ToString();
            }

            return map;
        }
        catch (Exception ex) when (ex is JsonException or DecoderFallbackException)
        {
            throw new InputDataException(
                "EHR-IO-021", path, null, "settings", "the settings file of a resumable output is damaged",
                expected: "{\"settings\": {\"name\": \"value\", ...}}", found: "text that is not such a JSON object",
                fix: "Restore it, or move the output and this file away to start afresh", innerException: ex);
        }
    }
}
