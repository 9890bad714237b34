using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Labels;

/// <summary>
/// Extracts the labels of a decision-making task from its target event (upstream §4.5), in a deterministic order:
/// the first occurrence over the event's items (upstream used a Python set, so its order changed between runs).
/// </summary>
public static class LabelExtractor
{
    /// <summary>
    /// The labels of <paramref name="task"/> for <paramref name="target"/>, or null when there are none
    /// (the instance is then not emitted). <paramref name="effectiveStart"/> is the target's start time as the index
    /// sees it (diagnoses events borrow the previous event's time); only next_event uses it.
    /// </summary>
    public static IReadOnlyList<string>? Extract(TaskDefinition task, EhrEvent target, DateTime? effectiveStart)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(target);
        if (task.IsRisk)
        {
            throw new ArgumentException("risk tasks have no item labels; use RiskLabeler", nameof(task));
        }

        switch (task.Name)
        {
            case TaskCatalog.NextEvent:
                return effectiveStart is null ? null : [target.Table];
            case TaskCatalog.Discharge:
                return DischargeText(target);
            case "transfers":
                return Collect(target.Items, static (item, add) => add(FirstPresent(item.Get("careunit"), item.Get("eventtype"))));
            case "radiology":
                return Collect(target.Items, static (item, add) =>
                {
                    var list = item.GetList("exam_name");
                    if (list is not null)
                    {
                        foreach (var v in list)
                        {
                            add(v);
                        }
                    }
                    else
                    {
                        add(item.Get("exam_name"));
                    }
                });
            default:
                var key = task.TargetKey;
                return Collect(target.Items, (item, add) => add(item.Get(key)));
        }
    }

    /// <summary>
    /// True when a cell counts as empty: null, blank, or the upstream placeholders <c>nan</c>, <c>NaN</c>, <c>None</c>.
    /// </summary>
    public static bool IsEmpty(string? value) =>
        string.IsNullOrWhiteSpace(value) || value.Trim() is "nan" or "NaN" or "None";

    private static string? FirstPresent(string? first, string? second) => IsEmpty(first) ? second : first;

    private static string[]? DischargeText(EhrEvent target)
    {
        // A discharge label is one note; an event holding several notes has no single answer (upstream: False).
        if (target.Items.Count != 1)
        {
            return null;
        }

        var text = target.Items[0].Get("text");
        return IsEmpty(text) ? null : [text!.Trim()];
    }

    private static string[]? Collect(IReadOnlyList<EventItem> items, Action<EventItem, Action<string?>> visit)
    {
        List<string>? labels = null;
        HashSet<string>? seen = null;
        void Add(string? value)
        {
            if (IsEmpty(value))
            {
                return;
            }

            var v = value!.Trim();
            labels ??= new List<string>(4);
            seen ??= new HashSet<string>(StringComparer.Ordinal);
            if (seen.Add(v))
            {
                labels.Add(v);
            }
        }

        foreach (var item in items)
        {
            visit(item, Add);
        }

        return labels is null ? null : [.. labels];
    }
}
