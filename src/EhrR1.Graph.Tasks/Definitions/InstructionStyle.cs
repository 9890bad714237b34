namespace EhrR1.Graph.Tasks.Definitions;

/// <summary>Which task-table text an export writes (<c>tasks export --instructions</c>): the instruction and <c>task_info.target_key</c>.</summary>
public enum InstructionStyle
{
    /// <summary>Default: our wording (the risk questions reworded: plural days, full stops, the stay or visit named).</summary>
    Corrected,

    /// <summary>
    /// Upstream's 46 strings verbatim, typos included ("die within 7 day."), as the released EHR-Bench carries them, and
    /// upstream's <c>target_key</c> (transfers: <c>eventtype</c>; risk tasks: null).
    /// </summary>
    Upstream,
}
