using System.Text.Json;
using ScottPlot;

namespace EhrR1.Graph.Reports;

/// <summary>The reward curve of a GRPO run: mean verify reward and mean total reward per step.</summary>
public static class RewardCurveChart
{
    /// <param name="steps">Step, mean verify reward and mean total (weighted) reward, in step order.</param>
    /// <param name="pathWithoutExtension">Output path without extension; <c>.png</c> and <c>.svg</c> are written.</param>
    /// <returns>The files written, or none when there are no steps.</returns>
    public static IReadOnlyList<string> Save(IReadOnlyList<(int Step, double Verify, double Total)> steps, string pathWithoutExtension)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            return [];
        }

        using var plot = Build(steps);
        return ChartFiles.SaveBoth(plot, pathWithoutExtension, 720, 400);
    }

    /// <summary>Draws the curve as one SVG file (the run report's rendering).</summary>
    /// <returns>The file written, or none when there are no steps.</returns>
    public static IReadOnlyList<string> SaveSvg(IReadOnlyList<(int Step, double Verify, double Total)> steps, string svgPath)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            return [];
        }

        using var plot = Build(steps);
        return ChartFiles.Save(plot, null, svgPath, 720, 400);
    }

    /// <summary>
    /// The per-step rewards of a GRPO <c>metrics.jsonl</c> (one <c>{"Step", "VerifyMean", "RewardMean", ...}</c> object a
    /// line), in file order; empty when the file holds no GRPO steps (e.g. the metrics of an SFT run, which have no
    /// rewards). Lines that are not JSON objects with these numbers are skipped.
    /// </summary>
    public static IReadOnlyList<(int Step, double Verify, double Total)> ReadMetrics(string metricsPath)
    {
        var steps = new List<(int, double, double)>();
        foreach (var line in File.ReadLines(metricsPath))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            try
            {
                using var doc = JsonDocument.Parse(line);
                var r = doc.RootElement;
                if (r.ValueKind == JsonValueKind.Object
                    && r.TryGetProperty("Step", out var step) && step.TryGetInt32(out var n)
                    && r.TryGetProperty("VerifyMean", out var verify) && verify.ValueKind == JsonValueKind.Number
                    && r.TryGetProperty("RewardMean", out var total) && total.ValueKind == JsonValueKind.Number)
                {
                    steps.Add((n, verify.GetDouble(), total.GetDouble()));
                }
            }
            catch (JsonException)
            {
                // a torn last line of an interrupted run: the steps before it still make a curve
            }
        }

        return steps;
    }

    private static Plot Build(IReadOnlyList<(int Step, double Verify, double Total)> steps)
    {
        var plot = new Plot();
        var x = steps.Select(s => (double)s.Step).ToArray();
        var verify = plot.Add.Scatter(x, steps.Select(s => s.Verify).ToArray());
        verify.LegendText = "verify reward (mean)";
        verify.MarkerSize = steps.Count > 200 ? 0 : 3;
        var total = plot.Add.Scatter(x, steps.Select(s => s.Total).ToArray());
        total.LegendText = "total reward (mean)";
        total.MarkerSize = 0;
        plot.Title("GRPO reward curve");
        plot.XLabel("step (one generation batch)");
        plot.YLabel("reward");
        plot.ShowLegend(Edge.Right);
        return plot;
    }
}
