namespace EhrR1.Graph.Evaluation.Metrics;

/// <summary>
/// The Porter (1980) suffix-stripping stemmer, the original published algorithm (steps 1a–5b), written from the paper.
/// It matches NLTK's <c>PorterStemmer(mode=ORIGINAL_ALGORITHM)</c>; NLTK's default mode (used by the
/// <c>rouge_score</c> package) adds a few departures (an irregular-word table, <c>bli→ble</c>, <c>logi→log</c>,
/// <c>fulli→ful</c>, short-word and <c>-ies</c>/<c>-ied</c> special cases) that are not reproduced here.
/// Input is expected in lower case (a–z); other characters are treated as consonants.
/// </summary>
public static class PorterStemmer
{
    private static readonly (string Suffix, string Replacement)[] Step2Rules =
    [
        ("ational", "ate"), ("tional", "tion"), ("enci", "ence"), ("anci", "ance"), ("izer", "ize"), ("abli", "able"),
        ("alli", "al"), ("entli", "ent"), ("eli", "e"), ("ousli", "ous"), ("ization", "ize"), ("ation", "ate"),
        ("ator", "ate"), ("alism", "al"), ("iveness", "ive"), ("fulness", "ful"), ("ousness", "ous"), ("aliti", "al"),
        ("iviti", "ive"), ("biliti", "ble"),
    ];

    private static readonly (string Suffix, string Replacement)[] Step3Rules =
    [
        ("icate", "ic"), ("ative", string.Empty), ("alize", "al"), ("iciti", "ic"), ("ical", "ic"), ("ful", string.Empty), ("ness", string.Empty),
    ];

    private static readonly string[] Step4Suffixes =
    [
        "al", "ance", "ence", "er", "ic", "able", "ible", "ant", "ement", "ment", "ent", "ion", "ou", "ism", "ate", "iti", "ous", "ive", "ize",
    ];

    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        var w = word;
        w = Step1A(w);
        w = Step1B(w);
        w = Step1C(w);
        w = ApplyMeasureRules(w, Step2Rules, 0);
        w = ApplyMeasureRules(w, Step3Rules, 0);
        w = Step4(w);
        w = Step5A(w);
        w = Step5B(w);
        return w;
    }

    private static string Step1A(string w)
    {
        if (w.EndsWith("sses", StringComparison.Ordinal))
        {
            return w[..^2];
        }

        if (w.EndsWith("ies", StringComparison.Ordinal))
        {
            return w[..^2];
        }

        if (w.EndsWith("ss", StringComparison.Ordinal))
        {
            return w;
        }

        return w.EndsWith('s') ? w[..^1] : w;
    }

    private static string Step1B(string w)
    {
        if (w.EndsWith("eed", StringComparison.Ordinal))
        {
            var s = w[..^3];
            return Measure(s) > 0 ? s + "ee" : w;
        }

        string stem;
        if (w.EndsWith("ed", StringComparison.Ordinal) && ContainsVowel(w[..^2]))
        {
            stem = w[..^2];
        }
        else if (w.EndsWith("ing", StringComparison.Ordinal) && ContainsVowel(w[..^3]))
        {
            stem = w[..^3];
        }
        else
        {
            return w;
        }

        if (stem.EndsWith("at", StringComparison.Ordinal) || stem.EndsWith("bl", StringComparison.Ordinal) || stem.EndsWith("iz", StringComparison.Ordinal))
        {
            return stem + "e";
        }

        if (EndsDoubleConsonant(stem))
        {
            return stem[^1] is 'l' or 's' or 'z' ? stem : stem[..^1];
        }

        return Measure(stem) == 1 && EndsCvc(stem) ? stem + "e" : stem;
    }

    private static string Step1C(string w) =>
        w.EndsWith('y') && ContainsVowel(w[..^1]) ? w[..^1] + "i" : w;

    private static string ApplyMeasureRules(string w, (string Suffix, string Replacement)[] rules, int minMeasureExclusive)
    {
        foreach (var (suffix, replacement) in rules)
        {
            if (w.EndsWith(suffix, StringComparison.Ordinal))
            {
                var stem = w[..^suffix.Length];
                return Measure(stem) > minMeasureExclusive ? stem + replacement : w;
            }
        }

        return w;
    }

    private static string Step4(string w)
    {
        foreach (var suffix in Step4Suffixes)
        {
            if (w.EndsWith(suffix, StringComparison.Ordinal))
            {
                var stem = w[..^suffix.Length];
                var ok = Measure(stem) > 1 && (suffix != "ion" || (stem.Length > 0 && stem[^1] is 's' or 't'));
                return ok ? stem : w;
            }
        }

        return w;
    }

    private static string Step5A(string w)
    {
        if (!w.EndsWith('e'))
        {
            return w;
        }

        var stem = w[..^1];
        var m = Measure(stem);
        return m > 1 || (m == 1 && !EndsCvc(stem)) ? stem : w;
    }

    private static string Step5B(string w) =>
        w.EndsWith("ll", StringComparison.Ordinal) && Measure(w[..^1]) > 1 ? w[..^1] : w;

    private static bool IsConsonant(string w, int i) =>
        w[i] switch
        {
            'a' or 'e' or 'i' or 'o' or 'u' => false,
            'y' => i == 0 || !IsConsonant(w, i - 1),
            _ => true,
        };

    /// <summary>m in [C](VC)^m[V].</summary>
    private static int Measure(string stem)
    {
        var m = 0;
        var previousVowel = false;
        for (var i = 0; i < stem.Length; i++)
        {
            var consonant = IsConsonant(stem, i);
            if (consonant && previousVowel)
            {
                m++;
            }

            previousVowel = !consonant;
        }

        return m;
    }

    private static bool ContainsVowel(string stem)
    {
        for (var i = 0; i < stem.Length; i++)
        {
            if (!IsConsonant(stem, i))
            {
                return true;
            }
        }

        return false;
    }

    private static bool EndsDoubleConsonant(string w) =>
        w.Length >= 2 && w[^1] == w[^2] && IsConsonant(w, w.Length - 1);

    private static bool EndsCvc(string w) =>
        w.Length >= 3
        && IsConsonant(w, w.Length - 3)
        && !IsConsonant(w, w.Length - 2)
        && IsConsonant(w, w.Length - 1)
        && w[^1] is not ('w' or 'x' or 'y');
}
