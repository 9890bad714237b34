using ScottPlot;

namespace EhrR1.Graph.Reports;

/// <summary>
/// A stacked bar chart of how samples end up, per category (task): one bar per category, one coloured segment per
/// outcome (e.g. graph, no_path, no_cui, ...). Written as PNG and SVG, each atomically.
/// </summary>
public static class AttritionChart
{
    private static readonly string[] Palette = ["#2ca02c", "#ff7f0e", "#d62728", "#9467bd", "#8c564b", "#7f7f7f", "#1f77b4", "#e377c2", "#bcbd22", "#17becf", "#393b79", "#ad494a"];

    /// <param name="title">Chart title.</param>
    /// <param name="categories">Bar labels (tasks), in display order.</param>
    /// <param name="series">Outcome name and one value per category, stacked in the given order.</param>
    /// <param name="pngPath">PNG output, or null.</param>
    /// <param name="svgPath">SVG output, or null.</param>
    public static void Save(string title, IReadOnlyList<string> categories, IReadOnlyList<(string Name, double[] Values)> series, string? pngPath, string? svgPath)
    {
        ArgumentNullException.ThrowIfNull(categories);
        ArgumentNullException.ThrowIfNull(series);
        using var plot = new Plot();
        var bars = new List<Bar>();
        for (var c = 0; c < categories.Count; c++)
        {
            double stacked = 0;
            for (var s = 0; s < series.Count; s++)
            {
                var value = series[s].Values[c];
                bars.Add(new Bar
                {
                    Position = c,
                    ValueBase = stacked,
                    Value = stacked + value,
                    FillColor = Color.FromHex(Palette[s % Palette.Length]),
                    LineWidth = 0,
                });
                stacked += value;
            }
        }

        plot.Add.Bars(bars);
        for (var s = 0; s < series.Count; s++)
        {
            plot.Legend.ManualItems.Add(new LegendItem { LabelText = series[s].Name, FillColor = Color.FromHex(Palette[s % Palette.Length]) });
        }

        var ticks = categories.Select((name, i) => new Tick(i, name)).ToArray();
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(ticks);
        // labels end at their tick and read upwards, so long task names neither overlap nor leave the chart
        plot.Axes.Bottom.TickLabelStyle.Rotation = -90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = Alignment.MiddleRight;
        plot.Axes.Bottom.MinimumSize = 10 + (7 * categories.Select(c => c.Length).DefaultIfEmpty(10).Max());
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel("samples");
        plot.ShowLegend(Edge.Right);
        var legendWidth = 40 + (8 * series.Select(x => x.Name.Length).DefaultIfEmpty(10).Max());
        var width = Math.Max(640, 60 * categories.Count + 160 + legendWidth);
        const int height = 520;
        ChartFiles.Save(plot, pngPath, svgPath, width, height);
    }
}
