using System.Text.Json.Serialization;

namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>
/// One line of <c>ehr-graph concepts samples</c>, read by <c>ehr-graph evidence search --samples</c>
/// (docs/evidence.md, "Input"): a decision-making sample's target concepts, the concepts of the events its rendered
/// input shows (<see cref="History"/>), the concepts of the events it hides (<see cref="HiddenHistory"/>: bid_event
/// events and, for the admissions task, the target admission; used only with <c>--history upstream</c>), and the
/// term → CUI links found by extraction. Properties are nullable because hand-written inputs are read leniently.
/// </summary>
public sealed record SampleConcepts
{
    [JsonPropertyName("sample_id")]
    public string? SampleId { get; init; }

    [JsonPropertyName("task")]
    public string? Task { get; init; }

    [JsonPropertyName("task_type")]
    public string? TaskType { get; init; }

    [JsonPropertyName("targets")]
    public IReadOnlyList<string>? Targets { get; init; }

    [JsonPropertyName("history")]
    public IReadOnlyList<string>? History { get; init; }

    [JsonPropertyName("hidden_history")]
    public IReadOnlyList<string>? HiddenHistory { get; init; }

    /// <summary>Flags of the abnormal lab results among <see cref="History"/> (lab name → <c>high</c> / <c>low</c> /
    /// <c>abnormal</c>); absent when there are none. A lab → phenotype relation needs the matching flag.</summary>
    [JsonPropertyName("history_flags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? HistoryFlags { get; init; }

    /// <summary>Flags of the abnormal lab results among <see cref="HiddenHistory"/>.</summary>
    [JsonPropertyName("hidden_history_flags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? HiddenHistoryFlags { get; init; }

    /// <summary>Term → CUI links found by the concept stage; used before any name lookup.</summary>
    [JsonPropertyName("cuis")]
    public IReadOnlyDictionary<string, string>? Cuis { get; init; }
}
