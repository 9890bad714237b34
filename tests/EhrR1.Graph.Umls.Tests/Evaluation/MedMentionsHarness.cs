using System.Globalization;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Umls.Tests.Evaluation;

/// <summary>Precision and recall of one matching criterion.</summary>
internal sealed record PrecisionRecall(string Criterion, int Predicted, int Gold, int TruePositives)
{
    public double Precision => Predicted == 0 ? 0 : TruePositives / (double)Predicted;

    public double Recall => Gold == 0 ? 0 : TruePositives / (double)Gold;

    public double F1 => Precision + Recall == 0 ? 0 : 2 * Precision * Recall / (Precision + Recall);
}

/// <summary>
/// Runs a matcher over MedMentions documents in PubTator format (<c>PMID|t|title</c>, <c>PMID|a|abstract</c>, then
/// <c>PMID \t start \t end \t mention \t types \t UMLS:CUI</c> lines; the document text is title + space + abstract)
/// and scores the top candidate of every returned span against the gold mentions:
/// <c>exact</c> (same offsets and CUI), <c>span</c> (same offsets), <c>overlap_cui</c> (overlapping offsets and same CUI),
/// and <c>document_cui</c> (sets of CUIs per document).
/// </summary>
internal static class MedMentionsHarness
{
    public sealed record Document(string Pmid, string Text, IReadOnlyList<(int Start, int End, string Cui)> Gold);

    public static IReadOnlyList<Document> Load(string pubtatorFile)
    {
        var docs = new List<Document>();
        string? pmid = null, title = null, abstr = null;
        var gold = new List<(int, int, string)>();
        var lineNumber = 0;

        void Flush()
        {
            if (pmid is not null)
            {
                docs.Add(new Document(pmid, (title ?? string.Empty) + " " + (abstr ?? string.Empty), gold.ToList()));
            }

            pmid = title = abstr = null;
            gold.Clear();
        }

        foreach (var line in File.ReadLines(pubtatorFile))
        {
            lineNumber++;
            if (line.Length == 0)
            {
                Flush();
                continue;
            }

            var bar = line.IndexOf('|', StringComparison.Ordinal);
            if (bar > 0 && line.Length > bar + 2 && line[bar + 2] == '|' && line[bar + 1] is 't' or 'a')
            {
                var id = line[..bar];
                if (pmid is not null && !string.Equals(pmid, id, StringComparison.Ordinal))
                {
                    Flush();
                }

                pmid = id;
                if (line[bar + 1] == 't')
                {
                    title = line[(bar + 3)..];
                }
                else
                {
                    abstr = line[(bar + 3)..];
                }

                continue;
            }

            var f = line.Split('\t');
            if (f.Length < 6 || !int.TryParse(f[1], NumberStyles.None, CultureInfo.InvariantCulture, out var s)
                || !int.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var e))
            {
                throw new InputDataException("EHR-UMLS-020", Path.GetFileName(pubtatorFile), lineNumber, null, "malformed PubTator line",
                    expected: "PMID|t|title, PMID|a|abstract, or PMID<TAB>start<TAB>end<TAB>mention<TAB>types<TAB>UMLS:CUI", found: $"{f.Length} tab-separated fields");
            }

            gold.Add((s, e, f[5].Replace("UMLS:", string.Empty, StringComparison.Ordinal)));
        }

        Flush();
        return docs;
    }

    public static IReadOnlyList<PrecisionRecall> Score(IReadOnlyList<Document> documents, ITextConceptMatcher matcher, CancellationToken cancellationToken)
    {
        int predicted = 0, gold = 0, exact = 0, span = 0, overlapCui = 0;
        int docPredicted = 0, docGold = 0, docTp = 0;
        foreach (var doc in documents)
        {
            var spans = matcher.Match(doc.Text, cancellationToken);
            predicted += spans.Count;
            gold += doc.Gold.Count;
            var goldExact = doc.Gold.ToHashSet();
            var goldSpans = doc.Gold.Select(g => (g.Start, g.End)).ToHashSet();
            foreach (var s in spans)
            {
                var cui = s.Candidates[0].Cui;
                if (goldExact.Contains((s.Start, s.End, cui)))
                {
                    exact++;
                }

                if (goldSpans.Contains((s.Start, s.End)))
                {
                    span++;
                }

                if (doc.Gold.Any(g => g.Start < s.End && s.Start < g.End && string.Equals(g.Cui, cui, StringComparison.Ordinal)))
                {
                    overlapCui++;
                }
            }

            var predictedCuis = spans.Select(s => s.Candidates[0].Cui).ToHashSet(StringComparer.Ordinal);
            var goldCuis = doc.Gold.Select(g => g.Cui).ToHashSet(StringComparer.Ordinal);
            docPredicted += predictedCuis.Count;
            docGold += goldCuis.Count;
            docTp += predictedCuis.Count(goldCuis.Contains);
        }

        return
        [
            new PrecisionRecall("exact", predicted, gold, exact),
            new PrecisionRecall("span", predicted, gold, span),
            new PrecisionRecall("overlap_cui", predicted, gold, overlapCui),
            new PrecisionRecall("document_cui", docPredicted, docGold, docTp),
        ];
    }
}
