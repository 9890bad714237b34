using System.Globalization;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>A file of subject ids: one per line, or the first CSV column; a non-numeric first line is a header.</summary>
public static class SubjectList
{
    public static HashSet<long> Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-GR-050", path, null, null, "the subject list does not exist", fix: "Pass a file with one subject id per line");
        }

        var set = new HashSet<long>();
        long line = 0;
        foreach (var raw in File.ReadLines(path))
        {
            line++;
            var text = raw.Split(',', 2)[0].Trim().Trim('"');
            if (text.Length == 0)
            {
                continue;
            }

            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                set.Add(id);
            }
            else if (line > 1)
            {
                throw new InputDataException("EHR-GR-051", path, line, "subject_id", "not an integer subject id", "an integer", $"a {text.Length}-character non-numeric value");
            }
        }

        return set;
    }
}
