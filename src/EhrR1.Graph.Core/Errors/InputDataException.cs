using System.Globalization;
using System.Text;

namespace EhrR1.Graph.Core.Errors;

/// <summary>
/// Bad input data: names the file, the line, the field, what was expected, what was found and how to fix it.
/// <paramref name="found"/> must never contain patient text; pass a description (a type, a length, a column list).
/// </summary>
public sealed class InputDataException(
    string code,
    string file,
    long? line,
    string? field,
    string problem,
    string? expected = null,
    string? found = null,
    string? fix = null,
    Exception? innerException = null)
    : EhrR1GraphException(code, Compose(file, line, field, problem, expected, found, fix), isTransient: false, innerException)
{
    /// <summary>The file that holds the bad input.</summary>
    public string File { get; } = file;

    /// <summary>1-based line number (physical line) when known.</summary>
    public long? LineNumber { get; } = line;

    /// <summary>The column or field name when known.</summary>
    public string? Field { get; } = field;

    private static string Compose(string file, long? line, string? field, string problem, string? expected, string? found, string? fix)
    {
        var sb = new StringBuilder();
        sb.Append(file);
        if (line is { } l)
        {
            sb.Append(':').Append(l.ToString(CultureInfo.InvariantCulture));
        }

        if (!string.IsNullOrEmpty(field))
        {
            sb.Append(" (field \"").Append(field).Append("\")");
        }

        sb.Append(": ").Append(problem.TrimEnd('.')).Append('.');
        if (!string.IsNullOrEmpty(expected))
        {
            sb.Append(" Expected ").Append(expected.TrimEnd('.')).Append('.');
        }

        if (!string.IsNullOrEmpty(found))
        {
            sb.Append(" Found ").Append(found.TrimEnd('.')).Append('.');
        }

        if (!string.IsNullOrEmpty(fix))
        {
            sb.Append(' ').Append(fix.TrimEnd('.')).Append('.');
        }

        return sb.ToString();
    }
}
