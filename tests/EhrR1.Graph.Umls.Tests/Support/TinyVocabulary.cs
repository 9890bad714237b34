using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Umls.Indexing;
using EhrR1.Graph.Umls.Text;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Umls.Tests.Support;

/// <summary>Writes small RRF folders (MRCONSO + MRSTY) and indexes them, for tests.</summary>
internal static class TinyVocabulary
{
    public sealed record Name(string Cui, string Str, bool Preferred, params string[] Tuis);

    public static void WriteRrf(string dir, IEnumerable<Name> names)
    {
        Directory.CreateDirectory(dir);
        var conso = new StringBuilder();
        var sty = new StringBuilder();
        var typed = new HashSet<(string, string)>();
        var n = 0;
        foreach (var name in names.OrderBy(x => x.Cui, StringComparer.Ordinal))
        {
            n++;
            var id = n.ToString("D7", CultureInfo.InvariantCulture);
            var p = name.Preferred;
            conso.Append(CultureInfo.InvariantCulture,
                $"{name.Cui}|ENG|{(p ? "P" : "S")}|L{id}|{(p ? "PF" : "VO")}|S{id}|{(p ? "Y" : "N")}|A{id}||||TEST|PT|{id}|{name.Str}|0|N||\n");
            foreach (var t in name.Tuis)
            {
                if (typed.Add((name.Cui, t)))
                {
                    sty.Append(CultureInfo.InvariantCulture, $"{name.Cui}|{t}|A1|Type {t}|AT{id}||\n");
                }
            }
        }

        File.WriteAllText(Path.Combine(dir, "MRCONSO.RRF"), conso.ToString());
        File.WriteAllText(Path.Combine(dir, "MRSTY.RRF"), sty.ToString());
    }

    public static async Task BuildIndexAsync(string rrfDir, string indexDir, NormalizationSettings? normalization = null, int minLength = 1)
    {
        var settings = new IndexBuildSettings
        {
            RrfDirectory = rrfDir,
            OutputDirectory = indexDir,
            Normalization = (normalization ?? new NormalizationSettings()) with { MinLength = minLength },
            RamBufferMb = 32,
            Force = true,
        };
        await new UmlsIndexBuilder(NullLogger.Instance).BuildAsync(settings, new Progress<StageProgress>(), CancellationToken.None);
    }
}
