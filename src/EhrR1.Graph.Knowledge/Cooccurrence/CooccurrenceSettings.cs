namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>Settings of <c>ehr-graph graph cooccur</c> (defaults as upstream §2.4–2.5).</summary>
public sealed record CooccurrenceSettings
{
    /// <summary>Minimum document frequency of the history concept (upstream <c>min_support</c>, ≥).</summary>
    public int MinSupport { get; init; } = 5;

    /// <summary>Minimum lift, strict (upstream <c>threshold</c>, &gt;).</summary>
    public double Threshold { get; init; } = 5;

    /// <summary>History concepts kept per target concept in one sample (applied by <see cref="CooccurrenceTable.SelectPairs"/>).</summary>
    public int TopK { get; init; } = 20;

    /// <summary>Upstream bug kept: count pairs whose history concept equals the target concept.</summary>
    public bool UpstreamSelfPairs { get; init; }

    /// <summary>
    /// Upstream bug kept: the history is every event of the context window plus the last discharge and the admission
    /// event, including events hidden from the input (bid events) and, for the admissions task, the target itself.
    /// </summary>
    public bool UpstreamHistory { get; init; }

    /// <summary>
    /// Upstream behaviour kept: a note contributes every candidate term of its single best span (upstream kept
    /// QuickUMLS match group 0 only) instead of the best term of every span.
    /// </summary>
    public bool UpstreamTextGroup0 { get; init; }

    /// <summary>Event tables hidden from the rendered input, per task (upstream <c>bid_event</c>).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> HiddenTables { get; init; } = CooccurrenceTasks.HiddenTables;

    /// <summary>Tasks to count (null = every task in the index).</summary>
    public IReadOnlySet<string>? Tasks { get; init; }

    /// <summary>Degree of parallelism across tasks.</summary>
    public int Parallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Problems (empty = valid).</summary>
    public IEnumerable<string> Validate()
    {
        if (MinSupport < 0)
        {
            yield return $"--min-support must be >= 0; got {MinSupport}.";
        }

        if (double.IsNaN(Threshold) || Threshold < 0)
        {
            yield return $"--threshold must be >= 0; got {Threshold}.";
        }

        if (TopK < 0)
        {
            yield return $"--topk must be >= 0 (0 = no limit); got {TopK}.";
        }

        if (Parallelism < 1)
        {
            yield return $"--threads must be >= 1; got {Parallelism}.";
        }
    }
}
