using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Search;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>
/// What the thinking graphs know, per task: samples by best explanation grade, median hops of the kept paths, the
/// share of hops per relation and per source, and why the others have none. Read from <c>evidence.jsonl</c>.
/// </summary>
internal sealed class QualityTable
{
    /// <summary>The six vocabulary-backed tasks (the knowledge targets of docs/evidence.md are measured on them).</summary>
    public static readonly IReadOnlySet<string> VocabularyTasks = new HashSet<string>(StringComparer.Ordinal)
    {
        "diagnoses_icd", "procedures_icd", "prescriptions", "emar", "inputevents", "labevents",
    };

    /// <summary>Grade columns in rank order, then "none".</summary>
    public static readonly IReadOnlyList<string> GradeColumns = [.. EvidenceGrades.All.Select(EvidenceGrades.Name), EvidenceGrades.None];

    /// <summary>Reasons a sample has no explanation.</summary>
    public static readonly IReadOnlyList<string> ReasonColumns =
        [EvidenceStatus.NoTargetConcept, EvidenceStatus.NoHistoryConcept, EvidenceStatus.NoPath, EvidenceStatus.HubCap, "other"];

    private readonly SortedDictionary<string, TaskQuality> _tasks = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, TaskQuality> Tasks => _tasks;

    public void Add(EvidenceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_tasks.TryGetValue(record.Task, out var q))
        {
            q = new TaskQuality();
            _tasks.Add(record.Task, q);
        }

        q.Add(record);
    }

    /// <summary>The tasks of <paramref name="filter"/> taken together (all tasks when null).</summary>
    public TaskQuality Total(Func<string, bool>? filter = null)
    {
        var total = new TaskQuality();
        foreach (var (task, q) in _tasks)
        {
            if (filter is null || filter(task))
            {
                total.Merge(q);
            }
        }

        return total;
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| task | samples | ").AppendJoin(" | ", GradeColumns).Append(" | ≥ shared indication | ≥ class | median hops | ")
            .AppendJoin(" | ", ReasonColumns.Select(r => "none: " + r)).Append(" |\n");
        sb.Append("|---|---:|").AppendJoin(string.Empty, GradeColumns.Select(_ => "---:|")).Append("---:|---:|---:|")
            .AppendJoin(string.Empty, ReasonColumns.Select(_ => "---:|")).Append('\n');
        void Row(string name, TaskQuality q)
        {
            sb.Append("| ").Append(name.Replace("|", "\\|", StringComparison.Ordinal)).Append(" | ").Append(q.Samples.ToString(CultureInfo.InvariantCulture)).Append(" | ")
                .AppendJoin(" | ", GradeColumns.Select(g => q.ByGrade.GetValueOrDefault(g).ToString(CultureInfo.InvariantCulture))).Append(" | ")
                .Append(Share(q.AtLeast(EvidenceGrade.SharedIndication), q.Samples)).Append(" | ")
                .Append(Share(q.AtLeast(EvidenceGrade.Class), q.Samples)).Append(" | ")
                .Append(q.MedianHops is { } m ? m.ToString("0.#", CultureInfo.InvariantCulture) : "–").Append(" | ")
                .AppendJoin(" | ", ReasonColumns.Select(r => q.ByReason.GetValueOrDefault(r).ToString(CultureInfo.InvariantCulture))).Append(" |\n");
        }

        foreach (var (task, q) in _tasks)
        {
            Row(task, q);
        }

        Row("**vocabulary-backed tasks**", Total(VocabularyTasks.Contains));
        Row("**other tasks**", Total(t => !VocabularyTasks.Contains(t)));
        Row("**all**", Total());
        sb.Append("\nGrades (best explanation of each sample): `direct` one clinical relation, give or take mappings, ingredients and ")
            .Append("hierarchy; `class` a shared pharmacologic class; `shared_indication` two clinical relations through a condition the record ")
            .Append("does not hold (a hypothesis); `chain` other mixes; `grouping` only categories and hierarchy; `cooccurrence` only the ")
            .Append("opt-in fallback (observed together, not knowledge). Vocabulary-backed tasks: ")
            .AppendJoin(", ", VocabularyTasks.Order(StringComparer.Ordinal)).Append(".\n\n");
        AppendShares(sb, "Hops per relation (kept paths, all tasks)", Total().ByRelation);
        AppendShares(sb, "Hops per source (kept paths, all tasks)", Total().BySource);
        return sb.ToString();
    }

    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append("task,samples,").AppendJoin(',', GradeColumns).Append(",median_hops,").AppendJoin(',', ReasonColumns.Select(r => "none_" + r)).Append('\n');
        foreach (var (task, q) in _tasks.Append(new KeyValuePair<string, TaskQuality>("ALL", Total())))
        {
            sb.Append(task).Append(',').Append(q.Samples.ToString(CultureInfo.InvariantCulture)).Append(',')
                .AppendJoin(',', GradeColumns.Select(g => q.ByGrade.GetValueOrDefault(g).ToString(CultureInfo.InvariantCulture))).Append(',')
                .Append(q.MedianHops?.ToString("0.#", CultureInfo.InvariantCulture) ?? string.Empty).Append(',')
                .AppendJoin(',', ReasonColumns.Select(r => q.ByReason.GetValueOrDefault(r).ToString(CultureInfo.InvariantCulture))).Append('\n');
        }

        return sb.ToString();
    }

    private static void AppendShares(StringBuilder sb, string title, IReadOnlyDictionary<string, long> counts)
    {
        var total = counts.Values.Sum();
        sb.Append("**").Append(title).Append("**: ");
        if (total == 0)
        {
            sb.Append("none.\n\n");
            return;
        }

        sb.AppendJoin(", ", counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal)
            .Select(p => p.Key + " " + Share(p.Value, total))).Append(".\n\n");
    }

    private static string Share(long n, long total) =>
        total == 0 ? "–" : string.Create(CultureInfo.InvariantCulture, $"{n} ({100.0 * n / total:0.#}%)");
}

/// <summary>Counts of one task (or several merged).</summary>
internal sealed class TaskQuality
{
    private readonly List<int> _hops = [];

    public long Samples { get; private set; }

    public SortedDictionary<string, long> ByGrade { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> ByReason { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> ByRelation { get; } = new(StringComparer.Ordinal);

    public SortedDictionary<string, long> BySource { get; } = new(StringComparer.Ordinal);

    /// <summary>Median hop count of the kept paths, or null without paths.</summary>
    public double? MedianHops
    {
        get
        {
            if (_hops.Count == 0)
            {
                return null;
            }

            var sorted = _hops.Order().ToList();
            var mid = sorted.Count / 2;
            return sorted.Count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2.0;
        }
    }

    /// <summary>Samples whose best grade is <paramref name="grade"/> or better.</summary>
    public long AtLeast(EvidenceGrade grade) =>
        EvidenceGrades.All.Where(g => g <= grade).Sum(g => ByGrade.GetValueOrDefault(EvidenceGrades.Name(g)));

    public void Add(EvidenceRecord record)
    {
        Samples++;
        var grade = record.Grade ?? (record.Paths.Count > 0 ? BestOf(record.Paths) : EvidenceGrades.None);
        Bump(ByGrade, grade);
        if (string.Equals(grade, EvidenceGrades.None, StringComparison.Ordinal))
        {
            Bump(ByReason, QualityTable.ReasonColumns.Contains(record.Status) ? record.Status : "other");
        }

        foreach (var path in record.Paths)
        {
            _hops.Add(path.Hops.Count);
            foreach (var hop in path.Hops)
            {
                Bump(ByRelation, hop.Relation);
                foreach (var source in (hop.Source ?? string.Empty).Split('+', StringSplitOptions.RemoveEmptyEntries))
                {
                    Bump(BySource, source);
                }

                if (string.IsNullOrEmpty(hop.Source))
                {
                    Bump(BySource, "(none)");
                }
            }
        }
    }

    public void Merge(TaskQuality other)
    {
        Samples += other.Samples;
        _hops.AddRange(other._hops);
        foreach (var (d, o) in new[] { (ByGrade, other.ByGrade), (ByReason, other.ByReason), (ByRelation, other.ByRelation), (BySource, other.BySource) })
        {
            foreach (var (k, v) in o)
            {
                d[k] = d.GetValueOrDefault(k) + v;
            }
        }
    }

    private static string BestOf(IReadOnlyList<EvidencePath> paths)
    {
        var names = EvidenceGrades.All.Select(EvidenceGrades.Name).ToList();
        var best = paths.Select(p => p.Grade is null ? names.Count - 1 : names.IndexOf(p.Grade)).Where(i => i >= 0).DefaultIfEmpty(names.Count - 1).Min();
        return names[best];
    }

    private static void Bump(SortedDictionary<string, long> counts, string key) => counts[key] = counts.GetValueOrDefault(key) + 1;
}
