namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>How the 24-hour context window before a target is delimited (docs/tasks.md, "Context window").</summary>
public enum ContextWindowMode
{
    /// <summary>
    /// Default. The window is the contiguous run of events just before the target that share its admission and
    /// start less than 24 h before it; it stops at the first event of another admission (or an untimed event), so it
    /// never contains events of another admission.
    /// </summary>
    Contiguous,

    /// <summary>
    /// Upstream behaviour, to reproduce upstream's index: the smallest earlier index with the same admission and a gap
    /// under 24 h, even when events of other admissions lie between it and the target (they are then inside the
    /// rendered window); no risk instance whose window holds only its anchor; hcpcsevents never begins or ends a
    /// window; mortality contexts may reach past the discharge; <c>target_weight</c> divides by label counts rather
    /// than label shares (docs/tasks.md, "Upstream bugs fixed here, and switches").
    /// </summary>
    Upstream,
}
