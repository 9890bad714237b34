using System.Globalization;
using ScottPlot;

namespace EhrR1.Graph.Reports.Evaluation;

/// <summary>One ROC curve: points in order of decreasing threshold, from (0,0) to (1,1).</summary>
public sealed record RocSeries(string Label, IReadOnlyList<double> FalsePositiveRate, IReadOnlyList<double> TruePositiveRate, double? Auc);

/// <summary>One bar series of a (grouped) bar chart: a value per category, with an optional interval (null = none).</summary>
public sealed record BarSeries(string Label, IReadOnlyList<double?> Values, IReadOnlyList<double?> Low, IReadOnlyList<double?> High);

/// <summary>
/// Evaluation plots (ScottPlot), each written as PNG and SVG: ROC curves, per-task bars with 95% intervals, and grouped
/// bars comparing models. Files are written under a temporary name and renamed, so a crash leaves no partial image.
/// </summary>
public static class EvaluationCharts
{
    public const int Width = 1000;
    public const int Height = 700;

    /// <summary>ROC curves on one plot (with the chance diagonal). Returns the PNG and SVG paths.</summary>
    public static IReadOnlyList<string> SaveRoc(string title, IReadOnlyList<RocSeries> series, string pathWithoutExtension)
    {
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        var chance = plot.Add.Line(0, 0, 1, 1);
        chance.LineColor = Colors.Gray;
        chance.LinePattern = LinePattern.Dashed;
        chance.LegendText = "chance";
        var palette = new ScottPlot.Palettes.Category10();
        for (var i = 0; i < series.Count; i++)
        {
            var s = series[i];
            var line = plot.Add.Scatter(s.FalsePositiveRate.ToArray(), s.TruePositiveRate.ToArray());
            line.MarkerSize = 0;
            line.LineWidth = 2;
            line.Color = palette.GetColor(i);
            line.LegendText = s.Auc is { } auc ? s.Label + string.Create(CultureInfo.InvariantCulture, $" (AUROC {auc:F3})") : s.Label;
        }

        plot.Title(title);
        plot.XLabel("false positive rate");
        plot.YLabel("true positive rate");
        plot.Axes.SetLimits(0, 1, 0, 1);
        plot.ShowLegend(Alignment.LowerRight);
        return Save(plot, pathWithoutExtension, Width, Width);
    }

    /// <summary>
    /// Bars per category, one bar per series side by side (a single series gives a plain per-task bar chart), with
    /// interval whiskers where given. Returns the PNG and SVG paths.
    /// </summary>
    public static IReadOnlyList<string> SaveBars(string title, string valueLabel, IReadOnlyList<string> categories, IReadOnlyList<BarSeries> series, string pathWithoutExtension)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        var groupWidth = 0.8;
        var barWidth = groupWidth / Math.Max(1, series.Count);
        for (var s = 0; s < series.Count; s++)
        {
            var color = palette.GetColor(s);
            var bars = new List<Bar>();
            for (var c = 0; c < categories.Count; c++)
            {
                if (series[s].Values[c] is not { } v || !double.IsFinite(v))
                {
                    continue;
                }

                var x = c - (groupWidth / 2) + (barWidth * (s + 0.5));
                bars.Add(new Bar { Position = x, Value = v, Size = barWidth * 0.95, FillColor = color, LineWidth = 0 });
                if (series[s].Low[c] is { } lo && series[s].High[c] is { } hi && double.IsFinite(lo) && double.IsFinite(hi))
                {
                    var whisker = plot.Add.Line(x, lo, x, hi);
                    whisker.LineColor = Colors.Black;
                    whisker.LineWidth = 1.5f;
                }
            }

            plot.Add.Bars(bars);
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Label, FillColor = color });
        }

        var ticks = Enumerable.Range(0, categories.Count).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(ticks, categories.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 60;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleLeft;
        var longest = categories.Count == 0 ? 0 : categories.Max(c => c.Length);
        plot.Axes.Bottom.MinimumSize = Math.Min(400, 20 + (longest * 7));
        plot.Axes.SetLimits(-0.6, Math.Max(0.6, categories.Count - 0.4), 0, 1.05);
        plot.Title(title);
        plot.YLabel(valueLabel);
        if (series.Count > 1)
        {
            plot.ShowLegend(Alignment.UpperRight);
        }

        var width = Math.Max(Width, 120 + (categories.Count * (30 + (12 * series.Count))));
        return Save(plot, pathWithoutExtension, width, Height);
    }

    private static IReadOnlyList<string> Save(Plot plot, string pathWithoutExtension, int width, int height) =>
        ChartFiles.SaveBoth(plot, pathWithoutExtension, width, height);
}
