using System.Globalization;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>Parses the time cells that risk labels read (<c>outtime</c>, <c>dischtime</c>, <c>dod</c>, ...).</summary>
internal static class TimeValues
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss",
        "yyyy-MM-dd HH:mm",
        "yyyy-MM-dd HH:mm:ss.FFFFFFF",
        "yyyy-MM-ddTHH:mm:ss",
        "yyyy-MM-dd",
    ];

    /// <summary>
    /// Parses a timestamp or a date; a date means midnight (so <c>dod</c>, a date, compares as 00:00:00 of that day).
    /// Null for empty or unparseable cells.
    /// </summary>
    public static DateTime? Parse(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        return DateTime.TryParseExact(value.Trim(), Formats, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t) ? t : null;
    }
}
