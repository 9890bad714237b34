using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Search;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Reports;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>The pictures of <c>evidence report</c>, drawn with the Reports project's charts.</summary>
internal sealed class EvidenceReportCharts : IEvidenceReportCharts
{
    public void SaveAttrition(string title, IReadOnlyList<string> tasks, IReadOnlyList<(string Name, double[] Values)> series, string pngPath, string svgPath) =>
        AttritionChart.Save(title, tasks, series, pngPath, svgPath);

    public void SaveThinkingGraph(string title, IReadOnlyList<EvidencePath> paths, string svgPath) =>
        ThinkingGraphSvg.Save(title, [.. paths.Select(ToPicture)], svgPath);

    /// <summary>A kept path as a picture row: concepts by preferred name and group, hops labelled with relation and
    /// source in the direction they read (upstream paths: in stored direction).</summary>
    private static PicturePath ToPicture(EvidencePath p) => new(
        p.Grade ?? EvidenceGrades.None,
        [.. p.Nodes.Select(n => new PictureNode(n.Name, n.Kind))],
        [.. p.Hops.Select(h => new PictureHop(
            h.Note ?? (string.IsNullOrEmpty(h.Source) ? h.Relation : h.Relation + " · " + h.Source),
            h.Reads is not null ? h.Reads != "backward" : h.Direction != "reverse",
            h.Note is not null || h.Relation == EvidenceInputs.CooccurLabel))]);
}
