using EhrR1.Graph.Core.Formats;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>Draws the pictures of <c>evidence report</c>; the CLI supplies the implementation, so charting stays out of this project.</summary>
public interface IEvidenceReportCharts
{
    /// <summary>Saves a stacked bar chart of sample outcomes per task as PNG and SVG.</summary>
    void SaveAttrition(string title, IReadOnlyList<string> tasks, IReadOnlyList<(string Name, double[] Values)> series, string pngPath, string svgPath);

    /// <summary>Saves one sample's kept paths as an SVG thinking graph.</summary>
    void SaveThinkingGraph(string title, IReadOnlyList<EvidencePath> paths, string svgPath);
}
