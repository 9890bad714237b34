namespace EhrR1.Graph.Umls.Text;

/// <summary>
/// Character n-gram features as SimString makes them: the n-grams of the string (optionally padded with n−1
/// begin/end marks; a string shorter than n is padded with spaces to length n), with repeated n-grams numbered so
/// that the multiset becomes a set: the k-th occurrence (k ≥ 2) of gram g is the feature <c>g + U+0001 + k</c>.
/// Multiset overlap of two strings then equals the set overlap of their features.
/// </summary>
internal static class NgramFeatures
{
    public const char BeginEndMark = '\u0002';
    public const char OccurrenceSeparator = '\u0001';

    public static string[] Extract(string s, int n, bool beginEndMarks)
    {
        string padded;
        if (beginEndMarks)
        {
            var marks = new string(BeginEndMark, n - 1);
            padded = marks + s + marks;
        }
        else
        {
            padded = s.Length < n ? s.PadRight(n, ' ') : s;
        }

        var count = padded.Length - n + 1;
        var result = new string[count];
        Dictionary<string, int>? seen = null;
        for (var i = 0; i < count; i++)
        {
            var gram = padded.Substring(i, n);
            seen ??= new Dictionary<string, int>(StringComparer.Ordinal);
            ref var k = ref System.Runtime.InteropServices.CollectionsMarshal.GetValueRefOrAddDefault(seen, gram, out _);
            k++;
            result[i] = k == 1 ? gram : gram + OccurrenceSeparator + k.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>Number of features of a string of <paramref name="length"/> characters.</summary>
    public static int Count(int length, int n, bool beginEndMarks) =>
        beginEndMarks ? length + n - 1 : Math.Max(length, n) - n + 1;
}
