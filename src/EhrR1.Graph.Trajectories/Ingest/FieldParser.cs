using System.Buffers.Text;
using System.Globalization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Trajectories.Csv;

namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>Span-based parsing of ids and timestamps from CSV fields, with clear errors.</summary>
internal static class FieldParser
{
    private static readonly long[] CumulativeDays = BuildCumulative();

    /// <summary>
    /// Parses an integer id. Also accepts an integral float such as <c>94374.0</c> (some third-party rewrites of
    /// MIMIC tables have them); the stored cell text is left as it was.
    /// </summary>
    public static bool TryParseId(ReadOnlySpan<byte> s, out long value)
    {
        if (Utf8Parser.TryParse(s, out value, out var n) && n == s.Length)
        {
            return true;
        }

        var dot = s.IndexOf((byte)'.');
        if (dot > 0 && Utf8Parser.TryParse(s[..dot], out value, out n) && n == dot)
        {
            foreach (var b in s[(dot + 1)..])
            {
                if (b != (byte)'0')
                {
                    return false;
                }
            }

            return true;
        }

        value = 0;
        return false;
    }

    public static long ParseRequiredId(MimicCsvReader r, int column, string field)
    {
        if (r.IsNull(column))
        {
            throw new InputDataException("EHR-CSV-020", r.DisplayPath, r.Line, field, "The id is empty", "an integer id", "an empty cell",
                "Every row must carry " + field + "; check that the file is the original release");
        }

        if (!TryParseId(r[column], out var v))
        {
            throw BadId(r, field, r[column].Length);
        }

        return v;
    }

    /// <summary>Parses an optional id; -1 when the cell is empty.</summary>
    public static long ParseOptionalId(MimicCsvReader r, int column, string field)
    {
        if (column < 0 || r.IsNull(column))
        {
            return -1;
        }

        if (!TryParseId(r[column], out var v) || v < 0)
        {
            throw BadId(r, field, r[column].Length);
        }

        return v;
    }

    /// <summary>
    /// Parses <c>YYYY-MM-DD HH:MM:SS</c> (optionally with fractional seconds, truncated) or <c>YYYY-MM-DD</c>
    /// (00:00:00) into whole seconds since 0001-01-01. False when the text is not such a timestamp.
    /// </summary>
    public static bool TryParseSeconds(ReadOnlySpan<byte> s, out long seconds)
    {
        seconds = 0;
        if (s.Length < 10 || s[4] != (byte)'-' || s[7] != (byte)'-')
        {
            return false;
        }

        if (!Digits(s[..4], out var y) || !Digits(s.Slice(5, 2), out var mo) || !Digits(s.Slice(8, 2), out var d))
        {
            return false;
        }

        if (y < 1 || mo is < 1 or > 12 || d < 1 || d > DateTime.DaysInMonth(y, mo))
        {
            return false;
        }

        long hh = 0, mi = 0, ss = 0;
        if (s.Length > 10)
        {
            if (s.Length < 16 || (s[10] != (byte)' ' && s[10] != (byte)'T') || s[13] != (byte)':')
            {
                return false;
            }

            if (!Digits(s.Slice(11, 2), out var h) || !Digits(s.Slice(14, 2), out var m) || h > 23 || m > 59)
            {
                return false;
            }

            hh = h;
            mi = m;
            if (s.Length > 16)
            {
                if (s.Length < 19 || s[16] != (byte)':' || !Digits(s.Slice(17, 2), out var sec) || sec > 59)
                {
                    return false;
                }

                ss = sec;
                if (s.Length > 19)
                {
                    if (s[19] != (byte)'.' || s.Length == 20 || !Digits(s[20..], out _))
                    {
                        return false;
                    }
                }
            }
        }

        var days = DaysFromCivil(y, mo, d);
        seconds = (days * 86400) + (hh * 3600) + (mi * 60) + ss;
        return true;
    }

    public static long ParseTime(MimicCsvReader r, int column, string field)
    {
        var s = r[column];
        if (TryParseSeconds(s, out var sec))
        {
            return sec;
        }

        throw new InputDataException("EHR-CSV-021", r.DisplayPath, r.Line, field, "The timestamp cannot be parsed",
            "YYYY-MM-DD HH:MM:SS or YYYY-MM-DD",
            $"a {s.Length.ToString(CultureInfo.InvariantCulture)}-character value in another format",
            "Write timestamps as in the MIMIC-IV release (ISO date, space, 24-hour time)");
    }

    private static InputDataException BadId(MimicCsvReader r, string field, int length) =>
        new("EHR-CSV-022", r.DisplayPath, r.Line, field, "The id is not an integer", "a non-negative integer id",
            $"a {length.ToString(CultureInfo.InvariantCulture)}-character value that is not an integer",
            "Use the original MIMIC-IV file; ids must be integers");

    private static bool Digits(ReadOnlySpan<byte> s, out int value)
    {
        value = 0;
        foreach (var b in s)
        {
            var d = b - (byte)'0';
            if ((uint)d > 9)
            {
                return false;
            }

            value = (value * 10) + d;
        }

        return true;
    }

    private static long DaysFromCivil(int y, int m, int d)
    {
        // Days since 0001-01-01 (proleptic Gregorian), as DateTime counts them.
        var yy = y - 1;
        var days = (yy * 365L) + (yy / 4) - (yy / 100) + (yy / 400);
        days += CumulativeDays[m - 1];
        if (m > 2 && DateTime.IsLeapYear(y))
        {
            days++;
        }

        return days + d - 1;
    }

    private static long[] BuildCumulative()
    {
        int[] len = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
        var c = new long[12];
        for (var i = 1; i < 12; i++)
        {
            c[i] = c[i - 1] + len[i - 1];
        }

        return c;
    }
}
