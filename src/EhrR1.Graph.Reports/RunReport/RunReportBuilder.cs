using System.Globalization;
using System.Net;
using System.Text;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Reports.RunReport;

/// <summary>
/// Builds a self-contained HTML report of a run folder: one section per stage folder with the counts and timing of
/// its manifest(s), its Markdown tables, and its charts (SVG inline, PNG as data URIs). It reads only what the stages
/// wrote, so it never needs to know a stage's internals, and it contains no patient text (stages write only counts,
/// statistics and charts to these files).
/// </summary>
public static class RunReportBuilder
{
    /// <summary>Stage folders in pipeline order; other folders follow alphabetically.</summary>
    public static readonly IReadOnlyList<string> StageOrder =
        ["store", "tasks", "vocab", "concepts", "graph", "evidence", "reasoning", "corpus", "model", "model-reasoning", "model-grpo", "eval", "eval-baseline", "eval-graph-baseline", "eval-compare"];

    private const long MaxInlineBytes = 4L << 20;

    /// <summary>Writes <c>report/index.html</c> (and <c>report/summary.md</c>) under <paramref name="runDirectory"/>.</summary>
    public static RunReportResult Build(string runDirectory, string? title = null)
    {
        var run = Path.GetFullPath(runDirectory);
        if (!Directory.Exists(run))
        {
            throw new Core.Errors.StageConfigurationException($"Run folder {run} does not exist. Run `ehr-graph run --out {runDirectory}` first.");
        }

        var stages = Directory.EnumerateDirectories(run)
            .Select(Path.GetFileName)
            .OfType<string>()
            .Where(n => !string.Equals(n, "report", StringComparison.Ordinal) && !n.StartsWith('.'))
            .OrderBy(StageRank)
            .ThenBy(n => n, StringComparer.Ordinal)
            .ToList();

        var html = new StringBuilder();
        var md = new StringBuilder();
        var heading = title ?? "EhrR1.Graph run report";
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>")
            .Append(E(heading)).Append("</title>\n<style>")
            .Append("body{font-family:system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}")
            .Append("table{border-collapse:collapse;margin:.5em 0;font-size:.9em}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}")
            .Append("div.wide{overflow-x:auto;max-width:100%}div.wide td{white-space:nowrap}")
            .Append("th{background:#f4f4f4}td:first-child,th:first-child{text-align:left}")
            .Append("figure{margin:1em 0}figcaption{color:#666;font-size:.9em}img,svg{max-width:100%;height:auto}")
            .Append("pre{background:#f8f8f8;padding:.5em;overflow:auto}</style></head><body>\n")
            .Append("<h1>").Append(E(heading)).Append("</h1>\n<p>Run folder: <code>").Append(E(Path.GetFileName(run))).Append("</code>; generated ")
            .Append(E(DateTime.UtcNow.ToString("yyyy-MM-dd HH:mm 'UTC'", CultureInfo.InvariantCulture))).Append(".</p>\n");
        md.Append("# ").Append(heading).Append("\n\n| folder | step | elapsed (s) | counts |\n|---|---|---:|---|\n");

        // Overview table: one row per stage manifest (a folder can hold several, e.g. tasks/ holds the index and the
        // samples), so counts of different steps are never mixed in one cell.
        html.Append("<h2>Stages</h2>\n<table><tr><th>folder</th><th>step</th><th>elapsed (s)</th><th>counts</th></tr>\n");
        var manifests = new Dictionary<string, List<(string File, RunManifest Manifest)>>(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            var list = FindManifests(Path.Combine(run, stage));
            manifests[stage] = list;
            var rows = list.Count > 0
                ? list.Select(m => (Step: m.Manifest.Stage + " (" + Path.GetRelativePath(run, m.File) + ")", Elapsed: m.Manifest.ElapsedSeconds.ToString("F1", CultureInfo.InvariantCulture), Counts: m.Manifest.Counts)).ToList()
                : [(Step: "–", Elapsed: "–", Counts: (IReadOnlyDictionary<string, long>)new Dictionary<string, long>())];
            foreach (var (step, elapsed, countMap) in rows)
            {
                var counts = string.Join(", ", countMap.Take(8).Select(kv => kv.Key + "=" + kv.Value.ToString("N0", CultureInfo.InvariantCulture)));
                html.Append("<tr><td><a href=\"#").Append(E(stage)).Append("\">").Append(E(stage)).Append("</a></td><td style=\"text-align:left\">")
                    .Append(E(step)).Append("</td><td>").Append(elapsed).Append("</td><td style=\"text-align:left\">").Append(E(counts)).Append("</td></tr>\n");
                md.Append("| ").Append(stage).Append(" | ").Append(step).Append(" | ").Append(elapsed).Append(" | ").Append(counts).Append(" |\n");
            }
        }

        html.Append("</table>\n");

        var figures = 0;
        var tables = 0;
        var outDir = Path.Combine(run, "report");
        var curves = RewardCurves(run, stages, outDir);
        if (curves.Count > 0)
        {
            // the GRPO reward curve, redrawn from metrics.jsonl, at the top: the first thing to look at after a run
            html.Append("<h2 id=\"reward-curve\">Reward curve</h2>\n");
            foreach (var (stage, svgPath) in curves)
            {
                figures++;
                var svg = File.ReadAllText(svgPath);
                var start = svg.IndexOf("<svg", StringComparison.Ordinal);
                html.Append("<figure>").Append(start >= 0 ? svg[start..] : svg).Append("<figcaption>mean verify reward per GRPO step, from ")
                    .Append(E(stage + "/metrics.jsonl")).Append(" (<a href=\"").Append(E(Path.GetFileName(svgPath))).Append("\">").Append(E(Path.GetFileName(svgPath)))
                    .Append("</a>)</figcaption></figure>\n");
                md.Append("\nReward curve: [").Append(Path.GetFileName(svgPath)).Append("](").Append(Path.GetFileName(svgPath)).Append(") (").Append(stage).Append("/metrics.jsonl)\n");
            }
        }

        var redrawn = curves.Select(c => c.Stage).ToHashSet(StringComparer.Ordinal);
        foreach (var stage in stages)
        {
            var dir = Path.Combine(run, stage);
            html.Append("<h2 id=\"").Append(E(stage)).Append("\">").Append(E(stage)).Append("</h2>\n");
            foreach (var (file, manifest) in manifests[stage])
            {
                html.Append("<h3>").Append(E(manifest.Stage)).Append(" <small>(").Append(E(Path.GetRelativePath(run, file))).Append(")</small></h3>\n");
                if (manifest.Counts.Count > 0)
                {
                    html.Append("<table><tr><th>count</th><th>value</th></tr>\n");
                    foreach (var (k, v) in manifest.Counts)
                    {
                        html.Append("<tr><td>").Append(E(k)).Append("</td><td>").Append(v.ToString("N0", CultureInfo.InvariantCulture)).Append("</td></tr>\n");
                    }

                    html.Append("</table>\n");
                }
            }

            foreach (var mdFile in Directory.EnumerateFiles(dir, "*.md", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
            {
                if (new FileInfo(mdFile).Length > MaxInlineBytes)
                {
                    continue;
                }

                tables++;
                html.Append("<h3>").Append(E(Path.GetRelativePath(run, mdFile))).Append("</h3>\n").Append(MarkdownTables.ToHtml(File.ReadAllText(mdFile)));
            }

            foreach (var image in Directory.EnumerateFiles(dir, "*.*", SearchOption.AllDirectories)
                         .Where(f => f.EndsWith(".svg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".png", StringComparison.OrdinalIgnoreCase))
                         .Order(StringComparer.Ordinal))
            {
                // The stage's own rendering of a reward curve drawn above is not repeated.
                if (redrawn.Contains(stage) && Path.GetFileNameWithoutExtension(image) == "reward-curve")
                {
                    continue;
                }

                // Prefer SVG when both renderings of a chart exist.
                if (image.EndsWith(".png", StringComparison.OrdinalIgnoreCase) && File.Exists(Path.ChangeExtension(image, ".svg")))
                {
                    continue;
                }

                var info = new FileInfo(image);
                if (info.Length > MaxInlineBytes)
                {
                    continue;
                }

                figures++;
                html.Append("<figure>");
                if (image.EndsWith(".svg", StringComparison.OrdinalIgnoreCase))
                {
                    var svg = File.ReadAllText(image);
                    var start = svg.IndexOf("<svg", StringComparison.Ordinal);
                    html.Append(start >= 0 ? svg[start..] : svg);
                }
                else
                {
                    html.Append("<img alt=\"").Append(E(Path.GetFileName(image))).Append("\" src=\"data:image/png;base64,")
                        .Append(Convert.ToBase64String(File.ReadAllBytes(image))).Append("\">");
                }

                html.Append("<figcaption>").Append(E(Path.GetRelativePath(run, image))).Append("</figcaption></figure>\n");
            }
        }

        html.Append("</body></html>\n");
        var htmlPath = Path.Combine(outDir, "index.html");
        var mdPath = Path.Combine(outDir, "summary.md");
        AtomicFile.WriteAllText(htmlPath, html.ToString());
        AtomicFile.WriteAllText(mdPath, md.ToString());
        return new RunReportResult(htmlPath, mdPath, stages.Count, figures, tables);
    }

    /// <summary>
    /// Draws <c>report/reward-curve[-STAGE].svg</c> from each stage folder's GRPO <c>metrics.jsonl</c> (SFT metrics have
    /// no rewards and draw nothing). Returns the stage and the SVG of each curve drawn.
    /// </summary>
    private static List<(string Stage, string Svg)> RewardCurves(string run, IReadOnlyList<string> stages, string outDir)
    {
        var found = stages
            .Select(stage => (Stage: stage, Steps: File.Exists(Path.Combine(run, stage, "metrics.jsonl")) ? RewardCurveChart.ReadMetrics(Path.Combine(run, stage, "metrics.jsonl")) : []))
            .Where(c => c.Steps.Count > 0)
            .ToList();
        var curves = new List<(string, string)>();
        foreach (var (stage, steps) in found)
        {
            var name = found.Count == 1 ? "reward-curve.svg" : "reward-curve-" + stage + ".svg";
            curves.AddRange(RewardCurveChart.SaveSvg(steps, Path.Combine(outDir, name)).Select(svg => (stage, svg)));
        }

        return curves;
    }

    private static List<(string File, RunManifest Manifest)> FindManifests(string dir)
    {
        var list = new List<(string, RunManifest)>();
        foreach (var file in Directory.EnumerateFiles(dir, "*.json", SearchOption.AllDirectories).Where(IsManifestName).Order(StringComparer.Ordinal))
        {
            try
            {
                if (RunManifest.TryLoad(file) is { } m && !string.IsNullOrEmpty(m.Stage))
                {
                    list.Add((file, m));
                }
            }
            catch (System.Text.Json.JsonException)
            {
                // Not a RunManifest (another tool's manifest): not part of the report.
            }
        }

        return list;
    }

    /// <summary>The names stages give their manifests: <c>manifest.json</c>, <c>OUTPUT.manifest.json</c> beside one
    /// output file, and <c>manifest.MODE.json</c> (<c>reason</c> without an endpoint writes <c>manifest.prepare.json</c>).</summary>
    private static bool IsManifestName(string file)
    {
        var name = Path.GetFileName(file);
        return name.EndsWith("manifest.json", StringComparison.Ordinal) || name.StartsWith("manifest.", StringComparison.Ordinal);
    }

    private static int StageRank(string name)
    {
        for (var i = 0; i < StageOrder.Count; i++)
        {
            if (string.Equals(StageOrder[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return int.MaxValue;
    }

    private static string E(string s) => WebUtility.HtmlEncode(s);
}

/// <summary>Where the report was written and what it holds.</summary>
public sealed record RunReportResult(string HtmlPath, string MarkdownPath, int Stages, int Figures, int Tables);
