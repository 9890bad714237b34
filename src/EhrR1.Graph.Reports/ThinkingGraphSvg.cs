using System.Globalization;
using System.Net;
using System.Text;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Reports;

/// <summary>A concept drawn in a thinking-graph picture: its preferred name and kind (<see cref="ConceptKinds"/>),
/// which gives its colour.</summary>
public sealed record PictureNode(string Name, string? Kind);

/// <summary>A hop drawn between two concepts: its label (relation and source) and whether it reads left to right.</summary>
public sealed record PictureHop(string Label, bool ReadsForward, bool Cooccurrence);

/// <summary>One explanation: its grade and the concepts and hops from the target (left) to the history concept (right).</summary>
public sealed record PicturePath(string Grade, IReadOnlyList<PictureNode> Nodes, IReadOnlyList<PictureHop> Hops);

/// <summary>
/// Draws a sample's thinking graph as a self-contained SVG: one row per explanation, the target on the left and the
/// history concept on the right, concepts coloured by kind (drug, disorder, lab test, ...), each hop an arrow labelled with its relation
/// and source in the direction it reads. Deterministic (same input, same bytes); no patient text beyond the concept
/// names passed in.
/// </summary>
public static class ThinkingGraphSvg
{
    private const int NodeWidth = 200;
    private const int Gap = 150;
    private const int RowHeight = 96;
    private const int Left = 20;
    private const int Top = 56;

    /// <summary>Fill colours of the concept kinds: the same as <c>graph-schema/style.grass</c> gives Neo4j Browser.</summary>
    public static readonly IReadOnlyDictionary<string, (string Fill, string Label)> KindColours = new Dictionary<string, (string, string)>(StringComparer.Ordinal)
    {
        [ConceptKinds.Drug] = ("#4E79A7", "drug"),
        [ConceptKinds.Disorder] = ("#E15759", "disorder"),
        [ConceptKinds.LabTest] = ("#C7A62F", "lab test"),
        [ConceptKinds.Procedure] = ("#59A14F", "procedure"),
        [ConceptKinds.DrugClass] = ("#76B7B2", "drug class"),
        [ConceptKinds.Category] = ("#B07AA1", "category"),
    };

    private const string OtherColour = "#9C9C9C";

    /// <summary>Writes the picture of <paramref name="paths"/> to <paramref name="path"/> (atomically).</summary>
    public static void Save(string title, IReadOnlyList<PicturePath> paths, string path) => AtomicFile.WriteAllText(path, Render(title, paths));

    /// <summary>The SVG text.</summary>
    public static string Render(string title, IReadOnlyList<PicturePath> paths)
    {
        ArgumentNullException.ThrowIfNull(paths);
        var columns = Math.Max(1, paths.Count == 0 ? 1 : paths.Max(p => p.Nodes.Count));
        var width = Left * 2 + columns * NodeWidth + (columns - 1) * Gap;
        var kinds = paths.SelectMany(p => p.Nodes).Select(Kind).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var height = Top + Math.Max(1, paths.Count) * RowHeight + 40;
        var sb = new StringBuilder();
        sb.Append(CultureInfo.InvariantCulture, $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" font-family=\"sans-serif\" font-size=\"12\">\n");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"8\" markerHeight=\"8\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"#555\"/></marker></defs>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width}\" height=\"{height}\" fill=\"#fff\"/>\n");
        sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"24\" font-size=\"15\" font-weight=\"bold\">{E(title)}</text>\n");
        if (paths.Count == 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{Top + 20}\">no explanation</text>\n");
        }

        for (var row = 0; row < paths.Count; row++)
        {
            var p = paths[row];
            var y = Top + row * RowHeight;
            sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{Left}\" y=\"{y + 10}\" fill=\"#666\">{E(GradeText(p.Grade))}</text>\n");
            var cy = y + 46;
            for (var i = 0; i < p.Hops.Count && i + 1 < p.Nodes.Count; i++)
            {
                var hop = p.Hops[i];
                var x1 = Left + i * (NodeWidth + Gap) + NodeWidth;
                var x2 = x1 + Gap;
                var (from, to) = hop.ReadsForward ? (x1 + 2, x2 - 2) : (x2 - 2, x1 + 2);
                var dash = hop.Cooccurrence ? " stroke-dasharray=\"5,4\"" : string.Empty;
                var marker = hop.Cooccurrence ? string.Empty : " marker-end=\"url(#arrow)\"";
                sb.Append(CultureInfo.InvariantCulture, $"<line x1=\"{from}\" y1=\"{cy}\" x2=\"{to}\" y2=\"{cy}\" stroke=\"#555\" stroke-width=\"1.5\"{dash}{marker}/>\n");
                // relation above the arrow, sources below it (full label on hover)
                var cut = hop.Label.IndexOf(" · ", StringComparison.Ordinal);
                var (top, bottom) = cut < 0 ? (hop.Label, string.Empty) : (hop.Label[..cut], hop.Label[(cut + 3)..]);
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(x1 + x2) / 2}\" y=\"{cy - 8}\" text-anchor=\"middle\" font-size=\"11\"><title>{E(hop.Label)}</title>{E(Cut(top, 24))}</text>\n");
                if (bottom.Length > 0)
                {
                    sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{(x1 + x2) / 2}\" y=\"{cy + 16}\" text-anchor=\"middle\" font-size=\"10\" fill=\"#666\">{E(Cut(bottom.Replace("+", " + ", StringComparison.Ordinal), 26))}</text>\n");
                }
            }

            for (var i = 0; i < p.Nodes.Count; i++)
            {
                var n = p.Nodes[i];
                var x = Left + i * (NodeWidth + Gap);
                var fill = KindColours.TryGetValue(Kind(n), out var c) ? c.Fill : OtherColour;
                sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{x}\" y=\"{cy - 20}\" width=\"{NodeWidth}\" height=\"40\" rx=\"8\" fill=\"{fill}\"/>\n");
                sb.Append(CultureInfo.InvariantCulture, $"<text x=\"{x + NodeWidth / 2}\" y=\"{cy + 4}\" text-anchor=\"middle\" fill=\"#fff\"><title>{E(n.Name)}</title>{E(Cut(n.Name, 30))}</text>\n");
            }
        }

        // legend
        var lx = Left;
        var ly = height - 16;
        foreach (var k in kinds)
        {
            var (fill, label) = KindColours.TryGetValue(k, out var c) ? c : (OtherColour, "other");
            sb.Append(CultureInfo.InvariantCulture, $"<rect x=\"{lx}\" y=\"{ly - 10}\" width=\"12\" height=\"12\" rx=\"2\" fill=\"{fill}\"/><text x=\"{lx + 16}\" y=\"{ly}\">{E(label)}</text>\n");
            lx += 30 + label.Length * 7;
        }

        sb.Append("</svg>\n");
        return sb.ToString();
    }

    private static string Kind(PictureNode n) => n.Kind ?? string.Empty;

    private static string GradeText(string grade) => grade switch
    {
        "shared_indication" => "shared indication (a hypothesis)",
        "cooccurrence" => "co-occurrence (observed together, not knowledge)",
        _ => grade,
    };

    private static string Cut(string s, int max) => s.Length <= max ? s : s[..(max - 1)] + "…";

    private static string E(string s) => WebUtility.HtmlEncode(s);
}
