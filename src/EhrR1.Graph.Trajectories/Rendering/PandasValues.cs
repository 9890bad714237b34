using System.Globalization;

namespace EhrR1.Graph.Trajectories.Rendering;

/// <summary>
/// The text upstream's pandas pipeline (pandas 1.5, default C parser) makes of a source cell, for the
/// <c>--upstream-values</c> rendering: pandas' default NA strings become <c>nan</c>; a cell of a float column is parsed
/// with pandas' default ("high" precision) float parser, which is not always correctly rounded in the last digit, and
/// printed as Python's <c>repr(float)</c> (<c>15</c> → <c>15.0</c>, <c>75.282310485839844</c> → <c>75.28231048583984</c>).
/// </summary>
public static class PandasValues
{
    /// <summary>pandas 1.5's default <c>na_values</c> (<c>STR_NA_VALUES</c>); the empty cell is stored as null already.</summary>
    private static readonly HashSet<string> NaStrings = new(StringComparer.Ordinal)
    {
        "-1.#IND", "1.#QNAN", "1.#IND", "-1.#QNAN", "#N/A N/A", "#N/A", "N/A", "n/a", "NA", "<NA>", "#NA", "NULL", "null", "NaN", "-NaN", "nan", "-nan", "",
    };

    /// <summary>
    /// The rendered source columns that pandas reads as float64 (numbers with gaps or fractions in MIMIC-IV). pandas
    /// infers a dtype per file (per chunk of about 2^20 / columns rows): a column with only whole numbers and no gap
    /// would be int64 and keep its text. <c>outputevents.value</c> is such a column in the demo, so it is not listed.
    /// </summary>
    private static readonly Dictionary<string, HashSet<string>> FloatColumns = new(StringComparer.Ordinal)
    {
        ["labevents"] = new(StringComparer.Ordinal) { "valuenum", "ref_range_lower", "ref_range_upper" },
        ["chartevents"] = new(StringComparer.Ordinal) { "valuenum" },
        ["ingredientevents"] = new(StringComparer.Ordinal) { "amount", "rate" },
        ["inputevents"] = new(StringComparer.Ordinal) { "amount", "rate" },
        ["procedureevents"] = new(StringComparer.Ordinal) { "value" },
        ["triage"] = new(StringComparer.Ordinal) { "temperature", "heartrate", "resprate", "o2sat", "sbp", "dbp", "acuity" },
        ["vitalsign"] = new(StringComparer.Ordinal) { "temperature", "heartrate", "resprate", "o2sat", "sbp", "dbp" },
    };

    private static readonly double[] Powers = BuildPowers();

    /// <summary>True when pandas reads <paramref name="text"/> as a missing value.</summary>
    public static bool IsNa(string text) => NaStrings.Contains(text);

    /// <summary>True when pandas reads column <paramref name="key"/> of <paramref name="table"/> as float64.</summary>
    public static bool IsFloatColumn(string table, string key) => FloatColumns.TryGetValue(table, out var keys) && keys.Contains(key);

    /// <summary>The upstream text of a source cell of <paramref name="table"/>.<paramref name="key"/>.</summary>
    public static string Format(string table, string key, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (IsNa(text))
        {
            return "nan";
        }

        return IsFloatColumn(table, key) && ParseDouble(text) is { } d ? PythonRepr(d) : text;
    }

    /// <summary>
    /// pandas' default float parser (<c>precise_xstrtod</c> of pandas 1.3-2.x): the first 17 significant digits are
    /// accumulated in a double (each step rounded), then scaled once by a power of ten. Null when the whole token is
    /// not a number (leading and trailing blanks allowed).
    /// </summary>
    public static double? ParseDouble(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        const int MaxDigits = 17;
        var p = 0;
        var n = text.Length;
        while (p < n && IsSpace(text[p]))
        {
            p++;
        }

        var negative = false;
        if (p < n && (text[p] == '-' || text[p] == '+'))
        {
            negative = text[p] == '-';
            p++;
        }

        double number = 0;
        int exponent = 0, digits = 0;
        while (p < n && char.IsAsciiDigit(text[p]))
        {
            if (digits < MaxDigits)
            {
                number = (number * 10.0) + (text[p] - '0');
                digits++;
            }
            else
            {
                exponent++;
            }

            p++;
        }

        if (p < n && text[p] == '.')
        {
            p++;
            var decimals = 0;
            while (digits < MaxDigits && p < n && char.IsAsciiDigit(text[p]))
            {
                number = (number * 10.0) + (text[p] - '0');
                p++;
                digits++;
                decimals++;
            }

            while (p < n && char.IsAsciiDigit(text[p]))
            {
                p++;
            }

            exponent -= decimals;
        }

        if (digits == 0)
        {
            return null;
        }

        if (negative)
        {
            number = -number;
        }

        if (p < n && (text[p] == 'e' || text[p] == 'E'))
        {
            var start = p;
            p++;
            var expNegative = false;
            if (p < n && (text[p] == '-' || text[p] == '+'))
            {
                expNegative = text[p] == '-';
                p++;
            }

            int e = 0, expDigits = 0;
            while (expDigits < MaxDigits && p < n && char.IsAsciiDigit(text[p]))
            {
                e = (e * 10) + (text[p] - '0');
                expDigits++;
                p++;
            }

            if (expDigits == 0)
            {
                p = start;
            }
            else
            {
                exponent += expNegative ? -e : e;
            }
        }

        while (p < n && IsSpace(text[p]))
        {
            p++;
        }

        if (p != n || exponent > 308)
        {
            return null;
        }

        if (exponent > 0)
        {
            number *= Powers[exponent];
        }
        else if (exponent < -308)
        {
            number = exponent < -616 ? 0 : number / Powers[-308 - exponent] / Powers[308];
        }
        else
        {
            number /= Powers[-exponent];
        }

        return double.IsInfinity(number) ? null : number;
    }

    /// <summary>Python's <c>repr(float)</c>: the shortest round-trip digits, <c>.0</c> for whole numbers, exponent form below 1e-4 or from 1e16.</summary>
    public static string PythonRepr(double value)
    {
        if (double.IsNaN(value))
        {
            return "nan";
        }

        if (double.IsInfinity(value))
        {
            return value > 0 ? "inf" : "-inf";
        }

        // Shortest round-trip digits: .NET's "R" gives them; read digits and the decimal exponent from it.
        var shortest = value.ToString("R", CultureInfo.InvariantCulture);
        var sign = shortest.StartsWith('-') ? "-" : string.Empty;
        var body = sign.Length > 0 ? shortest[1..] : shortest;
        int exp10;
        string mantissa;
        var ePos = body.IndexOf('E', StringComparison.Ordinal);
        if (ePos >= 0)
        {
            mantissa = body[..ePos];
            exp10 = int.Parse(body[(ePos + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }
        else
        {
            mantissa = body;
            exp10 = 0;
        }

        // digits d1d2..dk with the value 0.d1d2..dk × 10^decpt
        var dot = mantissa.IndexOf('.', StringComparison.Ordinal);
        var intPart = dot >= 0 ? mantissa[..dot] : mantissa;
        var fracPart = dot >= 0 ? mantissa[(dot + 1)..] : string.Empty;
        var all = (intPart + fracPart).TrimStart('0');
        var decpt = intPart.TrimStart('0').Length + exp10;
        if (intPart.TrimStart('0').Length == 0)
        {
            var leadingZeros = fracPart.Length - fracPart.TrimStart('0').Length;
            decpt = -leadingZeros + exp10;
        }

        all = all.TrimEnd('0');
        if (all.Length == 0)
        {
            return sign + "0.0";
        }

        if (decpt > -4 && decpt <= 16)
        {
            if (decpt <= 0)
            {
                return sign + "0." + new string('0', -decpt) + all;
            }

            if (all.Length <= decpt)
            {
                return sign + all + new string('0', decpt - all.Length) + ".0";
            }

            return sign + all[..decpt] + "." + all[decpt..];
        }

        var e = decpt - 1;
        var m = all.Length == 1 ? all : all[..1] + "." + all[1..];
        return sign + m + "e" + (e < 0 ? "-" : "+") + Math.Abs(e).ToString("00", CultureInfo.InvariantCulture);
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v';

    private static double[] BuildPowers()
    {
        // The C table holds the literals 1e0..1e308, each the double nearest to the power of ten.
        var powers = new double[309];
        for (var i = 0; i < powers.Length; i++)
        {
            powers[i] = double.Parse("1e" + i.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        }

        return powers;
    }
}
