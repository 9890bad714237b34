using System.Text.Json.Serialization;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>
/// The output folder of <c>ehr-graph graph cooccur</c>: <c>pairs.jsonl</c> (kept pairs with count, document
/// frequencies, N and lift), <c>document_frequency.jsonl</c> (every concept of every task with its df, so other
/// measures can be derived), <c>tasks.jsonl</c> (N per task) and <c>manifest.json</c>.
/// </summary>
public static class CooccurrenceFiles
{
    public const string PairsFile = "pairs.jsonl";
    public const string DocumentFrequencyFile = "document_frequency.jsonl";
    public const string TasksFile = "tasks.jsonl";
    public const string StatisticsFile = "statistics.md";

    /// <summary>Pairs listed in the statistics' top-lift table.</summary>
    public const int TopLiftRows = 20;

    /// <summary>
    /// Writes the table into <paramref name="outDir"/> atomically, with <paramref name="manifest"/> inside when given
    /// (the stage leaves it to <see cref="Core.Pipeline.StageRunner"/>, which adds it once the folder is complete).
    /// </summary>
    public static void Write(CooccurrenceTable table, string outDir, bool force, RunManifest? manifest = null)
    {
        ArgumentNullException.ThrowIfNull(table);
        using var dir = AtomicDirectory.Begin(outDir, force);
        using (var w = new JsonlWriter(File.Create(Path.Combine(dir.StagingPath, PairsFile))))
        {
            foreach (var p in table.Pairs())
            {
                w.Write(new PairRow(p.Task, p.Target, p.History, p.Count, p.TargetDf, p.HistoryDf, p.TaskSamples, p.Lift));
            }
        }

        using (var w = new JsonlWriter(File.Create(Path.Combine(dir.StagingPath, DocumentFrequencyFile))))
        {
            foreach (var task in table.Tasks)
            {
                var t = table[task]!;
                foreach (var (concept, df) in t.DocumentFrequency.OrderBy(kv => kv.Key, StringComparer.Ordinal))
                {
                    w.Write(new DfRow(task, concept, df));
                }
            }
        }

        using (var w = new JsonlWriter(File.Create(Path.Combine(dir.StagingPath, TasksFile))))
        {
            foreach (var task in table.Tasks)
            {
                w.Write(new TaskRow(task, table[task]!.Samples, table[task]!.Pairs.Count));
            }
        }

        File.WriteAllText(Path.Combine(dir.StagingPath, StatisticsFile), Statistics(table), Core.IO.TextEncodings.Utf8NoBom);
        manifest?.Save(Path.Combine(dir.StagingPath, "manifest.json"));
        dir.Commit();
    }

    /// <summary>
    /// Markdown for the run report: per task the samples counted (N), the concepts seen and the pairs kept, then the
    /// pairs with the highest lift (ties: count, then task, target, history). Concept names only, no patient text.
    /// </summary>
    public static string Statistics(CooccurrenceTable table)
    {
        ArgumentNullException.ThrowIfNull(table);
        var sb = new System.Text.StringBuilder();
        var inv = System.Globalization.CultureInfo.InvariantCulture;
        sb.Append("# Co-occurrence statistics\n\n| task | samples (N) | concepts | pairs kept |\n|---|---:|---:|---:|\n");
        foreach (var task in table.Tasks)
        {
            var t = table[task]!;
            sb.Append(inv, $"| {task} | {t.Samples:N0} | {t.DocumentFrequency.Count:N0} | {t.Pairs.Count:N0} |\n");
        }

        sb.Append(inv, $"\n## Top {TopLiftRows} pairs by lift\n\n| task | target | history | count | df target | df history | lift |\n|---|---|---|---:|---:|---:|---:|\n");
        var top = table.Pairs()
            .OrderByDescending(p => p.Lift).ThenByDescending(p => p.Count)
            .ThenBy(p => p.Task, StringComparer.Ordinal).ThenBy(p => p.Target, StringComparer.Ordinal).ThenBy(p => p.History, StringComparer.Ordinal)
            .Take(TopLiftRows);
        foreach (var p in top)
        {
            sb.Append(inv, $"| {p.Task} | {Cell(p.Target)} | {Cell(p.History)} | {p.Count:N0} | {p.TargetDf:N0} | {p.HistoryDf:N0} | {p.Lift:F1} |\n");
        }

        return sb.ToString();
    }

    private static string Cell(string s) => s.Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");

    /// <summary>Reads the kept pairs only (what the graph needs), streaming.</summary>
    public static IEnumerable<CooccurrenceStat> ReadPairs(string dir)
    {
        var path = Path.Combine(dir, PairsFile);
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-GR-010", path, null, null, "the co-occurrence pairs file does not exist", fix: "Run `ehr-graph graph cooccur` first and pass its --out folder");
        }

        foreach (var (line, row) in JsonlReader.Read<PairRow>(path))
        {
            if (row.Task is null || row.Target is null || row.History is null)
            {
                throw new InputDataException("EHR-GR-011", path, line, null, "a pair record lacks task, target or history", "a JSON object with task, target, history, count, target_df, history_df, n, lift");
            }

            yield return new CooccurrenceStat(row.Task, row.Target, row.History, row.Count, row.TargetDf, row.HistoryDf, row.N, row.Lift);
        }
    }

    /// <summary>Reads a whole table back (pairs, document frequencies and N).</summary>
    public static CooccurrenceTable Read(string dir)
    {
        var tasksPath = Path.Combine(dir, TasksFile);
        var tasks = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (line, t) in JsonlReader.Read<TaskRow>(tasksPath))
        {
            if (t.Task is null || !tasks.TryAdd(t.Task, t.Samples))
            {
                throw new InputDataException("EHR-GR-012", tasksPath, line, "task", t.Task is null ? "a task record has no task" : "a task occurs twice",
                    expected: "one {\"task\", \"n\", \"pairs\"} object per task", fix: "Re-run `ehr-graph graph cooccur`");
            }
        }

        var dfPath = Path.Combine(dir, DocumentFrequencyFile);
        var df = JsonlReader.Read<DfRow>(dfPath).Select(l => l.Value.Task is null || l.Value.Concept is null
            ? throw new InputDataException("EHR-GR-012", dfPath, l.LineNumber, l.Value.Task is null ? "task" : "concept", "a document frequency record lacks task or concept",
                expected: "{\"task\", \"concept\", \"df\"}", fix: "Re-run `ehr-graph graph cooccur`")
            : (l.Value.Task, l.Value.Concept, l.Value.Df));
        return CooccurrenceTable.FromRows(tasks, df, ReadPairs(dir));
    }

    private sealed record PairRow(
        [property: JsonPropertyName("task")] string Task,
        [property: JsonPropertyName("target")] string Target,
        [property: JsonPropertyName("history")] string History,
        [property: JsonPropertyName("count")] long Count,
        [property: JsonPropertyName("target_df")] long TargetDf,
        [property: JsonPropertyName("history_df")] long HistoryDf,
        [property: JsonPropertyName("n")] long N,
        [property: JsonPropertyName("lift")] double Lift);

    private sealed record DfRow(
        [property: JsonPropertyName("task")] string Task,
        [property: JsonPropertyName("concept")] string Concept,
        [property: JsonPropertyName("df")] long Df);

    private sealed record TaskRow(
        [property: JsonPropertyName("task")] string Task,
        [property: JsonPropertyName("n")] long Samples,
        [property: JsonPropertyName("pairs")] long Pairs);
}
