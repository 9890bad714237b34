using ScottPlot;

namespace EhrR1.Graph.Reports;

/// <summary>The training curve of a run: loss per optimizer step, and the periodic evaluation loss when there is one.</summary>
public static class TrainingCurveChart
{
    /// <param name="steps">Optimizer step, training loss and (at evaluation steps) the evaluation loss, in step order.</param>
    /// <param name="pathWithoutExtension">Output path without extension; <c>.png</c> and <c>.svg</c> are written.</param>
    /// <returns>The files written, or none when there are no steps.</returns>
    public static IReadOnlyList<string> Save(IReadOnlyList<(int Step, double Loss, double? EvalLoss)> steps, string pathWithoutExtension)
    {
        ArgumentNullException.ThrowIfNull(steps);
        if (steps.Count == 0)
        {
            return [];
        }

        using var plot = new Plot();
        var train = plot.Add.Scatter(steps.Select(s => (double)s.Step).ToArray(), steps.Select(s => s.Loss).ToArray());
        train.LegendText = "training loss";
        train.MarkerSize = steps.Count > 200 ? 0 : 3;
        var eval = steps.Where(s => s.EvalLoss is not null).ToList();
        if (eval.Count > 0)
        {
            var e = plot.Add.Scatter(eval.Select(s => (double)s.Step).ToArray(), eval.Select(s => s.EvalLoss!.Value).ToArray());
            e.LegendText = "evaluation loss";
            e.MarkerSize = 6;
        }

        plot.Title("Training curve");
        plot.XLabel("optimizer step");
        plot.YLabel("cross-entropy (nats/token)");
        plot.ShowLegend(Edge.Right);
        return ChartFiles.SaveBoth(plot, pathWithoutExtension, 720, 400);
    }
}
