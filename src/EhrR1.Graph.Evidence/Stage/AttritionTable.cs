using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Formats;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>Per-task attrition counts, aggregated from evidence records (upstream-pipeline §6, points 1–6).</summary>
internal sealed class AttritionTable
{
    /// <summary>Columns in report order: pair/target-level counts, then sample outcomes.</summary>
    public static readonly IReadOnlyList<(string Key, string Description)> Columns =
    [
        ("samples", "samples searched"),
        ("targets", "target concepts"),
        ("targets_no_cooccurrence", "(1) targets without any co-occurrence row"),
        ("pairs", "(2) pairs above threshold, min_support and top-k"),
        ("pairs_no_cui", "(3) pairs with an end without a CUI"),
        ("pairs_no_path", "(4) pairs without a path within the budgets"),
        ("pairs_endpoint_filtered", "(5) pairs whose paths the endpoint filter removed"),
        ("paths", "paths kept"),
        ("no_cooccurrence", "samples: no target has a co-occurrence row"),
        ("no_pairs", "samples: no pair selected"),
        ("no_cui", "samples: no pair with CUIs at both ends"),
        ("no_path", "samples: no path for any pair"),
        ("endpoint_filtered", "samples: every path removed by the endpoint filter"),
        ("no_target_concept", "samples: no target concept in the graph (knowledge search)"),
        ("no_history_concept", "samples: no history concept in the graph (knowledge search)"),
        ("hub_cap", "samples: no path, hubs met and not walked through (knowledge search)"),
        ("no_graph", "(6) samples without a graph (dropped by a no-graph filter)"),
        ("graph", "samples with a thinking graph"),
    ];

    private readonly SortedDictionary<string, long[]> _rows = new(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, long[]> Rows => _rows;

    public void Add(EvidenceRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!_rows.TryGetValue(record.Task, out var row))
        {
            row = new long[Columns.Count];
            _rows.Add(record.Task, row);
        }

        var c = record.Counts;
        row[0]++;
        row[1] += c.Targets;
        row[2] += c.TargetsNoCooccurrence;
        row[3] += c.Pairs;
        row[4] += c.PairsNoCui;
        row[5] += c.PairsNoPath;
        row[6] += c.PairsEndpointFiltered;
        row[7] += c.Paths;
        var statusColumn = record.Status switch
        {
            EvidenceStatus.NoCooccurrence => 8,
            EvidenceStatus.NoPairs => 9,
            EvidenceStatus.NoCui => 10,
            EvidenceStatus.NoPath => 11,
            EvidenceStatus.EndpointFiltered => 12,
            EvidenceStatus.NoTargetConcept => 13,
            EvidenceStatus.NoHistoryConcept => 14,
            EvidenceStatus.HubCap => 15,
            _ => 17,
        };
        row[statusColumn]++;
        if (statusColumn != 17)
        {
            row[16]++;
        }
    }

    public long[] Total()
    {
        var total = new long[Columns.Count];
        foreach (var row in _rows.Values)
        {
            for (var i = 0; i < total.Length; i++)
            {
                total[i] += row[i];
            }
        }

        return total;
    }

    public string ToCsv()
    {
        var sb = new StringBuilder();
        sb.Append("task,").AppendJoin(',', Columns.Select(c => c.Key)).Append('\n');
        foreach (var (task, row) in _rows.Append(new KeyValuePair<string, long[]>("ALL", Total())))
        {
            sb.Append(Csv(task)).Append(',').AppendJoin(',', row.Select(v => v.ToString(CultureInfo.InvariantCulture))).Append('\n');
        }

        return sb.ToString();
    }

    public string ToMarkdown()
    {
        var sb = new StringBuilder();
        sb.Append("| task | ").AppendJoin(" | ", Columns.Select(c => c.Key)).Append(" |\n");
        sb.Append("|---|").AppendJoin("", Columns.Select(_ => "---:|")).Append('\n');
        foreach (var (task, row) in _rows.Append(new KeyValuePair<string, long[]>("**all**", Total())))
        {
            sb.Append("| ").Append(task.Replace("|", "\\|", StringComparison.Ordinal)).Append(" | ")
                .AppendJoin(" | ", row.Select(v => v.ToString(CultureInfo.InvariantCulture))).Append(" |\n");
        }

        sb.Append('\n');
        foreach (var (key, description) in Columns)
        {
            sb.Append("- `").Append(key).Append("`: ").Append(description).Append('\n');
        }

        return sb.ToString();
    }

    private static string Csv(string value) =>
        value.AsSpan().IndexOfAny(",\"\n") >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
}
