using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Labels;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>
/// The concepts of one event (upstream §2.3, with every span kept): per decision-making task bound to the event's
/// table, the labels the task index would give that event (<see cref="LabelExtractor"/>: the same strings the model
/// must predict); the concepts the matcher finds in the event's free text (notes and admission information); and a
/// CUI for each structured concept the resolver links. Thread-safe when the matcher and resolver are.
/// </summary>
public sealed class ConceptExtractor(ITextConceptMatcher? matcher, IConceptResolver? resolver)
{
    /// <summary>Item keys holding free text, per event table (upstream: admission_info, radiology and discharge text).</summary>
    public static IReadOnlyDictionary<string, string> TextKeys { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["admissions"] = "admission_info",
        ["radiology"] = "text",
        ["discharge"] = "text",
    };

    /// <summary>The concepts of <paramref name="ev"/> (trajectory index <paramref name="index"/>), or null when it has none.</summary>
    public EventConcepts? Extract(EhrEvent ev, int index, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(ev);
        Dictionary<string, IReadOnlyList<string>>? labels = null;
        Dictionary<string, string>? links = null;
        if (TaskCatalog.DecisionTasksByEvent.TryGetValue(ev.Table, out var tasks))
        {
            foreach (var task in tasks)
            {
                // Scalar-label tasks (discharge: the whole note) are not concept lists; their text is matched below.
                if (task.HasScalarLabel || LabelExtractor.Extract(task, ev, ev.StartTime) is not { Count: > 0 } list)
                {
                    continue;
                }

                labels ??= new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
                labels[task.Name] = list;
                if (resolver is null)
                {
                    continue;
                }

                foreach (var name in list)
                {
                    links ??= new Dictionary<string, string>(StringComparer.Ordinal);
                    if (links.ContainsKey(name))
                    {
                        continue;
                    }

                    // lab items are lab tests first ("Glucose" the measurement, not the drug)
                    var found = string.Equals(task.Name, LabTask, StringComparison.Ordinal) ? resolver.Resolve(name, ConceptKinds.LabTestTypes) : resolver.Resolve(name);
                    if (found is not null)
                    {
                        links[name] = found.Cui;
                    }
                }
            }
        }

        List<TextConcept> text = [];
        if (matcher is not null && FreeText(ev) is { } note)
        {
            text = matcher.Match(note, cancellationToken).Where(s => s.Candidates.Count > 0).Select(ToConcept).ToList();
        }

        if (labels is null && text.Count == 0)
        {
            return null;
        }

        var flags = labels is not null && labels.TryGetValue(LabTask, out var labs) ? LabFlags(ev, labs) : null;

        return new EventConcepts
        {
            Index = index,
            Table = ev.Table,
            Labels = labels ?? new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal),
            Text = text,
            Links = links ?? new Dictionary<string, string>(StringComparer.Ordinal),
            Flags = flags,
        };
    }

    /// <summary>The lab task whose labels are lab items (their results carry high/low flags).</summary>
    private const string LabTask = "labevents";

    /// <summary>
    /// The flags of a lab event's abnormal results per lab name (<see cref="LabResultFlags"/>; a lab measured twice
    /// may have two), or null when every result is normal. Only names among the event's labels are kept.
    /// </summary>
    private static Dictionary<string, IReadOnlyList<string>>? LabFlags(EhrEvent ev, IReadOnlyList<string> labs)
    {
        var found = new LabFlagMap();
        foreach (var item in ev.Items)
        {
            var name = item.Get("item_name")?.Trim();
            if (string.IsNullOrEmpty(name)
                || LabResultFlags.Of(item.Get("valuenum"), item.Get("ref_range_lower"), item.Get("ref_range_upper"), item.Get("flag")) is not { } flag
                || !labs.Contains(name, StringComparer.Ordinal))
            {
                continue;
            }

            found.Add(name, [flag]);
        }

        return found.ToRecord();
    }

    /// <summary>The free text of an event: the non-empty text values of all its items, joined by a blank line; or null.</summary>
    public static string? FreeText(EhrEvent ev)
    {
        ArgumentNullException.ThrowIfNull(ev);
        if (!TextKeys.TryGetValue(ev.Table, out var key))
        {
            return null;
        }

        var parts = new List<string>();
        foreach (var item in ev.Items)
        {
            if (item.GetList(key) is { } list)
            {
                parts.AddRange(list.Where(v => !LabelExtractor.IsEmpty(v)));
            }
            else if (item.Get(key) is { } v && !LabelExtractor.IsEmpty(v))
            {
                parts.Add(v);
            }
        }

        return parts.Count == 0 ? null : string.Join("\n\n", parts);
    }

    private static TextConcept ToConcept(ConceptSpan span)
    {
        var best = span.Candidates[0];
        var terms = span.Candidates.Select(c => c.Term).Distinct(StringComparer.Ordinal).ToList();
        return new TextConcept(span.Start, span.End, best.Cui, best.Term, best.Similarity, terms);
    }
}
