using System.Net;
using System.Text;

namespace EhrR1.Graph.Reports.RunReport;

/// <summary>Turns the pipe tables of a Markdown file into HTML tables; other lines become paragraphs or headings.</summary>
internal static class MarkdownTables
{
    public static string ToHtml(string markdown)
    {
        var sb = new StringBuilder();
        var lines = markdown.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var i = 0;
        while (i < lines.Length)
        {
            var line = lines[i].Trim();
            if (line.StartsWith('|') && i + 1 < lines.Length && IsSeparator(lines[i + 1]))
            {
                sb.Append("<table><tr>");
                foreach (var h in Cells(line))
                {
                    sb.Append("<th>").Append(WebUtility.HtmlEncode(h)).Append("</th>");
                }

                sb.Append("</tr>\n");
                i += 2;
                while (i < lines.Length && lines[i].Trim().StartsWith('|'))
                {
                    sb.Append("<tr>");
                    foreach (var c in Cells(lines[i].Trim()))
                    {
                        sb.Append("<td>").Append(WebUtility.HtmlEncode(c)).Append("</td>");
                    }

                    sb.Append("</tr>\n");
                    i++;
                }

                sb.Append("</table>\n");
                continue;
            }

            if (line.StartsWith('#'))
            {
                var level = Math.Min(6, line.TakeWhile(c => c == '#').Count() + 2);
                sb.Append("<h").Append(level).Append('>').Append(WebUtility.HtmlEncode(line.TrimStart('#').Trim())).Append("</h").Append(level).Append(">\n");
            }
            else if (line.Length > 0)
            {
                sb.Append("<p>").Append(WebUtility.HtmlEncode(line)).Append("</p>\n");
            }

            i++;
        }

        return sb.ToString();
    }

    internal static bool IsSeparator(string line)
    {
        var t = line.Trim();
        return t.StartsWith('|') && t.Contains('-', StringComparison.Ordinal) && t.All(c => c is '|' or '-' or ':' or ' ');
    }

    internal static IEnumerable<string> Cells(string line) =>
        line.Trim().Trim('|').Split('|').Select(c => c.Trim());
}
