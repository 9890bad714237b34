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

        using var plot = new Plot();
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
        return ChartFiles.SaveBoth(plot, pathWithoutExtension, 720, 400);
    }
}
