using EhrR1.Graph.Core.IO;
using ScottPlot;

namespace EhrR1.Graph.Reports;

/// <summary>Writes a chart as PNG and/or SVG, each atomically (a temporary file in the same folder, then a rename).</summary>
public static class ChartFiles
{
    /// <summary>Saves <paramref name="plot"/> to <paramref name="pngPath"/> and <paramref name="svgPath"/> (either may be null).</summary>
    /// <returns>The paths written.</returns>
    public static IReadOnlyList<string> Save(Plot plot, string? pngPath, string? svgPath, int width, int height)
    {
        ArgumentNullException.ThrowIfNull(plot);
        var written = new List<string>(2);
        if (pngPath is not null)
        {
            written.Add(SaveOne(pngPath, tmp => plot.SavePng(tmp, width, height)));
        }

        if (svgPath is not null)
        {
            written.Add(SaveOne(svgPath, tmp => plot.SaveSvg(tmp, width, height)));
        }

        return written;
    }

    /// <summary>Saves <paramref name="plot"/> as <c>{pathWithoutExtension}.png</c> and <c>.svg</c>.</summary>
    public static IReadOnlyList<string> SaveBoth(Plot plot, string pathWithoutExtension, int width, int height) =>
        Save(plot, pathWithoutExtension + ".png", pathWithoutExtension + ".svg", width, height);

    private static string SaveOne(string path, Action<string> save)
    {
        AtomicFile.Save(path, save); // the temporary name keeps the extension, by which ScottPlot picks the format
        return Path.GetFullPath(path);
    }
}
