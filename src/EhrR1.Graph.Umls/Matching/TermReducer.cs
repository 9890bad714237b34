using System.Text;

namespace EhrR1.Graph.Umls.Matching;

/// <summary>
/// The resolver's fallback form of a term: the term without what order and dispensing strings add to a name
/// (drug order lines such as "Sodium Chloride 0.9%  Flush" or "Acetaminophen 500mg Tablet"). It removes, in this
/// order: bracketed segments ("(Ultram)", "[DDAVP]"); words that start with a digit (strengths, percentages,
/// ratios: "500mg", "0.9%", "1:1000"); and whole words from closed lists of units, dose forms, release modifiers and
/// routes. Works on normalised (lowercased) text; returns the empty string when nothing is left.
/// </summary>
internal static class TermReducer
{
    private static readonly HashSet<string> Dropped = new(StringComparer.Ordinal)
    {
        // units
        "mg", "mcg", "g", "gm", "gram", "grams", "kg", "ml", "l", "unit", "units", "u", "iu", "meq", "mmol", "%", "mg/ml",
        "mcg/ml", "unit/ml", "units/ml", "mg/hr", "mcg/hr", "mg/kg",
        // dose forms and packages
        "tablet", "tablets", "tab", "tabs", "capsule", "capsules", "cap", "caps", "injection", "inj", "injectable",
        "solution", "soln", "sol", "suspension", "susp", "syrup", "elixir", "liquid", "concentrate", "emulsion", "cream",
        "ointment", "oint", "gel", "lotion", "patch", "spray", "drops", "drop", "flush", "syringe", "vial", "bag",
        "premix", "premixed", "powder", "suppository", "supp", "inhaler", "nebulizer", "neb", "lozenge", "troche",
        "chewable", "disintegrating", "packet", "ampule", "ampul", "bottle", "pump", "pen", "kit",
        // release modifiers
        "ec", "er", "sr", "xl", "xr", "dr", "cr", "la", "odt", "extended", "delayed", "sustained", "release",
        // routes
        "oral", "po", "iv", "ivpb", "im", "sc", "subq", "sq", "subcutaneous", "intravenous", "intramuscular", "topical",
        "nasal", "ophthalmic", "ophth", "otic", "rectal", "pr", "sl", "sublingual", "transdermal", "inhalation",
        "vaginal", "enteral",
    };

    public static string Reduce(string normalized)
    {
        var sb = new StringBuilder(normalized.Length);
        var depth = 0;
        var word = new StringBuilder();

        void EndWord()
        {
            if (word.Length == 0)
            {
                return;
            }

            var w = word.ToString().Trim('-', '/', ',', '.', ':', ';');
            word.Clear();
            if (w.Length == 0 || char.IsDigit(w[0]) || w[0] == '.' || Dropped.Contains(w))
            {
                return;
            }

            if (sb.Length > 0)
            {
                sb.Append(' ');
            }

            sb.Append(w);
        }

        foreach (var c in normalized)
        {
            if (c is '(' or '[' or '{')
            {
                EndWord();
                depth++;
            }
            else if (c is ')' or ']' or '}')
            {
                EndWord();
                depth = Math.Max(0, depth - 1);
            }
            else if (depth > 0)
            {
                continue;
            }
            else if (char.IsWhiteSpace(c))
            {
                EndWord();
            }
            else
            {
                word.Append(c);
            }
        }

        EndWord();
        return sb.ToString();
    }
}
