using System.Diagnostics;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evidence.Search;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>
/// <c>ehr-graph evidence report</c>: in one pass over <c>evidence.jsonl</c>, where samples and pairs drop out per task
/// (attrition table and chart), what the thinking graphs know (quality table), and per task one drawn thinking graph
/// (the first sample in file order with the task's best grade).
/// </summary>
/// <param name="charts">Draws the attrition chart and the thinking graphs.</param>
public sealed class EvidenceReportStage(IEvidenceReportCharts charts) : IStage<EvidenceReportSettings>
{
    /// <inheritdoc />
    public async Task<StageReport> RunAsync(EvidenceReportSettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var clock = Stopwatch.StartNew();
        var table = new AttritionTable();
        var quality = new QualityTable();
        var picks = new SortedDictionary<string, EvidenceRecord>(StringComparer.Ordinal);
        var gradeRank = QualityTable.GradeColumns.Select((g, i) => (g, i)).ToDictionary(x => x.g, x => x.i, StringComparer.Ordinal);
        int Rank(EvidenceRecord r) => gradeRank.GetValueOrDefault(r.Grade ?? EvidenceGrades.None, gradeRank.Count);
        await foreach (var line in EvidenceFile.ReadAsync(settings.EvidencePath, cancellationToken))
        {
            var r = line.Value;
            table.Add(r);
            quality.Add(r);
            if (r.Paths.Count > 0 && (!picks.TryGetValue(r.Task, out var pick) || Rank(r) < Rank(pick)))
            {
                picks[r.Task] = r;
            }
        }

        var folder = settings.OutputDirectory;
        Directory.CreateDirectory(folder);
        var md = Path.Combine(folder, "attrition.md");
        var csv = Path.Combine(folder, "attrition.csv");
        var png = Path.Combine(folder, "attrition.png");
        var svg = Path.Combine(folder, "attrition.svg");
        AtomicFile.WriteAllText(md, "# Evidence attrition\n\n" + table.ToMarkdown());
        AtomicFile.WriteAllText(csv, table.ToCsv());
        var qualityMd = Path.Combine(folder, "quality.md");
        var qualityCsv = Path.Combine(folder, "quality.csv");
        AtomicFile.WriteAllText(qualityMd, "# What the thinking graphs know\n\n" + quality.ToMarkdown());
        AtomicFile.WriteAllText(qualityCsv, quality.ToCsv());
        var pictures = Path.Combine(folder, "thinking-graphs");
        Directory.CreateDirectory(pictures);
        var drawn = new List<string>();
        foreach (var (task, r) in picks)
        {
            var picture = Path.Combine(pictures, task + ".svg");
            charts.SaveThinkingGraph(task + ": " + r.SampleId, [.. r.Paths.Take(3)], picture);
            drawn.Add(picture);
        }

        var tasks = table.Rows.Keys.ToList();
        string[] statuses = [EvidenceStatus.Graph, EvidenceStatus.EndpointFiltered, EvidenceStatus.NoPath, EvidenceStatus.HubCap, EvidenceStatus.NoCui, EvidenceStatus.NoTargetConcept, EvidenceStatus.NoHistoryConcept, EvidenceStatus.NoPairs, EvidenceStatus.NoCooccurrence];
        var columnIndex = AttritionTable.Columns.Select((c, i) => (c.Key, i)).ToDictionary(x => x.Key, x => x.i, StringComparer.Ordinal);
        var series = statuses.Select(s => (s, tasks.Select(t => (double)table.Rows[t][columnIndex[s]]).ToArray())).ToList();
        charts.SaveAttrition("Evidence search: sample outcome per task", tasks, series, png, svg);
        var total = table.Total();
        var counts = AttritionTable.Columns.Select((c, i) => (c.Key, total[i])).ToDictionary(x => x.Key, x => x.Item2, StringComparer.Ordinal);
        var all = quality.Total();
        foreach (var grade in QualityTable.GradeColumns)
        {
            counts["grade_" + grade] = all.ByGrade.GetValueOrDefault(grade);
        }

        counts["thinking_graph_pictures"] = drawn.Count;
        return new StageReport(settings.StageName, clock.Elapsed.TotalSeconds, counts, [md, csv, qualityMd, qualityCsv, png, svg, .. drawn]);
    }
}
