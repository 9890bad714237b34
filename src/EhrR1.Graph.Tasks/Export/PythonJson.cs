using System.Globalization;
using System.Text;

namespace EhrR1.Graph.Tasks.Export;

/// <summary>
/// Python <c>json.dumps</c> (default arguments: <c>", "</c> separators, <c>ensure_ascii=True</c>) of a string or a list
/// of strings: the form of <c>task_info.target</c> in upstream EHR-Bench records.
/// </summary>
internal static class PythonJson
{
    public static string Dumps(string value)
    {
        var sb = new StringBuilder(value.Length + 2);
        Append(sb, value);
        return sb.ToString();
    }

    public static string Dumps(IReadOnlyList<string> values)
    {
        var sb = new StringBuilder();
        sb.Append('[');
        for (var i = 0; i < values.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            Append(sb, values[i]);
        }

        return sb.Append(']').ToString();
    }

    private static void Append(StringBuilder sb, string value)
    {
        sb.Append('"');
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (ch < 0x20 || ch > 0x7e)
                    {
                        sb.Append("\\u").Append(((int)ch).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }

                    break;
            }
        }

        sb.Append('"');
    }
}
