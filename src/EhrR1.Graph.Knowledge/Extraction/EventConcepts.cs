using System.Text.Json.Serialization;

namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>
/// The concepts of one event (a line item of <c>concepts/events.jsonl</c>): the structured concepts per decision
/// task (the display names that are that task's labels) and the UMLS concepts matched in the event's free text.
/// </summary>
public sealed record EventConcepts
{
    /// <summary>Trajectory index of the event.</summary>
    [JsonPropertyName("index")]
    public required int Index { get; init; }

    /// <summary>Source table of the event.</summary>
    [JsonPropertyName("table")]
    public required string Table { get; init; }

    /// <summary>Structured concepts per task (distinct, in first-seen order).</summary>
    [JsonPropertyName("labels")]
    public IReadOnlyDictionary<string, IReadOnlyList<string>> Labels { get; init; } = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);

    /// <summary>Every matched span of the free text, in text order.</summary>
    [JsonPropertyName("text")]
    public IReadOnlyList<TextConcept> Text { get; init; } = [];

    /// <summary>CUIs of the structured concepts that the resolver linked (name → CUI).</summary>
    [JsonPropertyName("links")]
    public IReadOnlyDictionary<string, string> Links { get; init; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Lab events: the flags (<c>high</c>, <c>low</c>, <c>abnormal</c>) of the abnormal results per lab name;
    /// absent when every result is normal or the event is no lab event.</summary>
    [JsonPropertyName("flags")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, IReadOnlyList<string>>? Flags { get; init; }
}

/// <summary>One matched span: offsets into the event's text and the best candidate (plus the others).</summary>
public sealed record TextConcept(
    [property: JsonPropertyName("start")] int Start,
    [property: JsonPropertyName("end")] int End,
    [property: JsonPropertyName("cui")] string Cui,
    [property: JsonPropertyName("term")] string Term,
    [property: JsonPropertyName("similarity")] double Similarity,
    [property: JsonPropertyName("candidates")] IReadOnlyList<string> CandidateTerms);

/// <summary>A patient's event concepts (one line of <c>events.jsonl</c>); only events with concepts are listed.</summary>
public sealed record PatientConcepts(
    [property: JsonPropertyName("subject_id")] long SubjectId,
    [property: JsonPropertyName("events")] IReadOnlyList<EventConcepts> Events);
