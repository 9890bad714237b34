using EhrR1.Graph.Tasks.Definitions;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>
/// What the graph stages take from the task definitions (<see cref="TaskCatalog"/>): which tasks are counted —
/// the decision-making tasks whose labels are concept lists (not next_event, whose label is an event type, nor
/// discharge, whose label is a note) — and which event tables each task hides from its input (<c>bid_event</c>).
/// </summary>
public static class CooccurrenceTasks
{
    /// <summary>Event tables hidden from the rendered input, per task (only tasks that hide some).</summary>
    public static IReadOnlyDictionary<string, IReadOnlyList<string>> HiddenTables { get; } =
        TaskCatalog.All.Where(t => !t.BidEvents.IsEmpty)
            .ToDictionary(t => t.Name, t => (IReadOnlyList<string>)[.. t.BidEvents], StringComparer.Ordinal);

    /// <summary>True for a decision-making task with list labels.</summary>
    public static bool Includes(string task) =>
        TaskCatalog.Find(task) is { Kind: TaskKind.DecisionMaking, HasScalarLabel: false };
}
