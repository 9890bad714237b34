using System.Text.Json;

namespace EhrR1.Graph.Reasoning.Input;

/// <summary>
/// The fields of an evidence JSONL line (written by <c>evidence search</c>, docs/evidence.md) that synthesis reads:
/// <c>sample_id</c>, <c>status</c> (<c>graph</c> when the record has paths; otherwise why not, e.g.
/// <c>no_target_concept</c>, <c>no_history_concept</c>, <c>no_path</c>, <c>hub_cap</c>, <c>no_cooccurrence</c>),
/// <c>rendered</c> (the paths as prompt text, one per line) and the number of <c>paths</c>.
/// </summary>
public sealed record EvidenceRecord(string SampleId, string? Status, string? Rendered, int PathCount)
{
    public bool HasGraph => !string.IsNullOrWhiteSpace(Rendered) && PathCount != 0;

    public static EvidenceRecord From(JsonElement e)
    {
        var id = e.GetProperty("sample_id").GetString()!;
        var status = e.TryGetProperty("status", out var s) && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
        var rendered = e.TryGetProperty("rendered", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
        var paths = e.TryGetProperty("paths", out var p) && p.ValueKind == JsonValueKind.Array ? p.GetArrayLength() : -1;
        return new EvidenceRecord(id, status, rendered, paths);
    }
}
