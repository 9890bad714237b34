using System.Globalization;
using System.Text;

namespace EhrR1.Graph.Core.Text;

/// <summary>
/// Python string semantics that the upstream data formats depend on, re-implemented:
/// <c>str.title()</c> and <c>repr()</c> of strings and lists of strings.
/// </summary>
public static class PythonText
{
    /// <summary>
    /// Python <c>str.title()</c>: a cased letter that follows an uncased character is upper-cased,
    /// every other cased letter is lower-cased (<c>anchor_age</c> → <c>Anchor_Age</c>, <c>o2sat</c> → <c>O2Sat</c>).
    /// </summary>
    public static string Title(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var sb = new StringBuilder(value.Length);
        var previousCased = false;
        foreach (var ch in value)
        {
            var cased = char.IsUpper(ch) || char.IsLower(ch) || char.GetUnicodeCategory(ch) == UnicodeCategory.TitlecaseLetter;
            if (cased)
            {
                sb.Append(previousCased ? char.ToLowerInvariant(ch) : char.ToUpperInvariant(ch));
            }
            else
            {
                sb.Append(ch);
            }

            previousCased = cased;
        }

        return sb.ToString();
    }

    /// <summary>
    /// Python <c>repr()</c> of a string: single quotes unless the string contains a single quote and no double quote.
    /// </summary>
    public static string Repr(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var quote = value.Contains('\'', StringComparison.Ordinal) && !value.Contains('"', StringComparison.Ordinal) ? '"' : '\'';
        var sb = new StringBuilder(value.Length + 2);
        sb.Append(quote);
        foreach (var ch in value)
        {
            switch (ch)
            {
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                default:
                    if (ch == quote)
                    {
                        sb.Append('\\').Append(ch);
                    }
                    else if (ch < 0x20 || ch == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)ch).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(ch);
                    }

                    break;
            }
        }

        sb.Append(quote);
        return sb.ToString();
    }

    /// <summary>Python <c>repr()</c> of a list of strings: <c>['a', 'b']</c>.</summary>
    public static string ReprList(IEnumerable<string> values) =>
        "[" + string.Join(", ", values.Select(Repr)) + "]";
}
