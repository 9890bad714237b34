using System.Net;
using System.Text;

namespace EhrR1.Graph.Reports.RunReport;

/// <summary>Turns the pipe tables of a Markdown file into HTML tables; other lines become headings, list items or
/// paragraphs. Inline <c>`code`</c> and <c>**bold**</c> are rendered, everything else is text (HTML-encoded).</summary>
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
                sb.Append("<div class=\"wide\"><table><tr>");
                foreach (var h in Cells(line))
                {
                    sb.Append("<th>").Append(Inline(h)).Append("</th>");
                }

                sb.Append("</tr>\n");
                i += 2;
                while (i < lines.Length && lines[i].Trim().StartsWith('|'))
                {
                    sb.Append("<tr>");
                    foreach (var c in Cells(lines[i].Trim()))
                    {
                        sb.Append("<td>").Append(Inline(c)).Append("</td>");
                    }

                    sb.Append("</tr>\n");
                    i++;
                }

                sb.Append("</table></div>\n");
                continue;
            }

            if (line.StartsWith("- ", StringComparison.Ordinal))
            {
                sb.Append("<ul>\n");
                while (i < lines.Length && lines[i].Trim().StartsWith("- ", StringComparison.Ordinal))
                {
                    sb.Append("<li>").Append(Inline(lines[i].Trim()[2..])).Append("</li>\n");
                    i++;
                }

                sb.Append("</ul>\n");
                continue;
            }

            if (line.StartsWith('#'))
            {
                var level = Math.Min(6, line.TakeWhile(c => c == '#').Count() + 2);
                sb.Append("<h").Append(level).Append('>').Append(Inline(line.TrimStart('#').Trim())).Append("</h").Append(level).Append(">\n");
            }
            else if (line.Length > 0)
            {
                sb.Append("<p>").Append(Inline(line)).Append("</p>\n");
            }

            i++;
        }

        return sb.ToString();
    }

    /// <summary>HTML-encodes a line, rendering <c>`code`</c> spans and <c>**bold**</c>; an unpaired marker stays as text.</summary>
    internal static string Inline(string text)
    {
        var sb = new StringBuilder();
        var parts = text.Split('`');
        for (var p = 0; p < parts.Length; p++)
        {
            var code = p % 2 == 1 && p < parts.Length - 1;
            if (code)
            {
                sb.Append("<code>").Append(WebUtility.HtmlEncode(parts[p])).Append("</code>");
                continue;
            }

            if (p % 2 == 1)
            {
                sb.Append('`'); // unpaired backtick
            }

            var bold = parts[p].Split("**");
            for (var b = 0; b < bold.Length; b++)
            {
                var strong = b % 2 == 1 && b < bold.Length - 1;
                if (b % 2 == 1 && !strong)
                {
                    sb.Append("**");
                }

                sb.Append(strong ? "<strong>" + WebUtility.HtmlEncode(bold[b]) + "</strong>" : WebUtility.HtmlEncode(bold[b]));
            }
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
