using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Tests.Support;
using EhrR1.Graph.Umls.Text;

namespace EhrR1.Graph.Umls.Tests.Matching;

/// <summary>Retrieval must return exactly the strings whose similarity is ≥ the threshold (brute force).</summary>
public sealed class RetrievalPropertyTests
{
    public static TheoryData<string, double, bool> Cases()
    {
        var data = new TheoryData<string, double, bool>();
        foreach (var m in Enum.GetValues<SimilarityMeasure>())
        {
            data.Add(m.ToString(), 0.7, false);
            data.Add(m.ToString(), 0.5, false);
            data.Add(m.ToString(), 0.85, true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Should_EqualBruteForceScoring_When_RetrievingFromARandomVocabulary(string measureName, double threshold, bool marks)
    {
        var measure = Similarity.Parse(measureName);
        // Given: a random vocabulary over a small alphabet (many shared and repeated trigrams)
        var random = new Random(1234 + (int)measure + (int)(threshold * 100));
        var names = new List<TinyVocabulary.Name>();
        var strings = new List<string>();
        for (var i = 0; i < 400; i++)
        {
            var s = RandomString(random);
            strings.Add(s);
            names.Add(new TinyVocabulary.Name("C" + (i / 2).ToString("D7", System.Globalization.CultureInfo.InvariantCulture), s, i % 2 == 0, "T047"));
        }

        using var dir = new TempDirectory();
        TinyVocabulary.WriteRrf(dir.Combine("rrf"), names);
        var normalization = new NormalizationSettings { BeginEndMarks = marks };
        await TinyVocabulary.BuildIndexAsync(dir.Combine("rrf"), dir.Combine("index"), normalization);
        using var index = UmlsIndex.Open(dir.Combine("index"));
        var all = Enumerable.Range(0, index.DocumentCount).Select(index.Document).ToList();

        // When / Then: random queries, including perturbed vocabulary strings
        for (var q = 0; q < 150; q++)
        {
            var query = q % 3 == 0 ? RandomString(random) : Perturb(strings[random.Next(strings.Count)], random);
            var key = index.Normalizer.Normalize(query);
            if (key.Length == 0)
            {
                continue;
            }

            var x = NgramFeatures.Extract(key, 3, marks);
            var expected = all
                .Select(d => (d.DocId, Score: BruteForce(x, NgramFeatures.Extract(d.Normalized, 3, marks), measure)))
                .Where(p => p.Score >= threshold)
                .ToDictionary(p => p.DocId, p => p.Score);

            var fast = index.Search(key, measure, threshold);
            fast.Select(h => h.DocId).Should().BeEquivalentTo(expected.Keys, "query '{0}' with {1} ≥ {2}", key, measure, threshold);
            foreach (var h in fast)
            {
                h.Similarity.Should().BeApproximately(expected[h.DocId], 1e-12);
            }

            if (q % 5 == 0)
            {
                var viaQueries = index.SearchWithQueries(key, measure, threshold);
                viaQueries.Select(h => h.DocId).Should().BeEquivalentTo(expected.Keys);
            }
        }
    }

    /// <summary>Similarity from multiset overlap counted directly on the raw n-grams (no feature numbering).</summary>
    private static double BruteForce(string[] x, string[] y, SimilarityMeasure measure)
    {
        static Dictionary<string, int> Counts(IEnumerable<string> features) =>
            features.Select(f => f.Split(NgramFeatures.OccurrenceSeparator)[0]).GroupBy(g => g, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);

        var cx = Counts(x);
        var cy = Counts(y);
        var overlap = cx.Sum(p => Math.Min(p.Value, cy.GetValueOrDefault(p.Key)));
        return Similarity.Score(measure, overlap, x.Length, y.Length);
    }

    private static string RandomString(Random random)
    {
        const string alphabet = "abcde ";
        var length = random.Next(1, 16);
        var chars = new char[length];
        for (var i = 0; i < length; i++)
        {
            chars[i] = alphabet[random.Next(alphabet.Length)];
        }

        return new string(chars);
    }

    private static string Perturb(string s, Random random)
    {
        var chars = s.ToList();
        var edits = random.Next(0, 3);
        for (var e = 0; e < edits && chars.Count > 0; e++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(3))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, "abcde"[random.Next(5)]);
                    break;
                default:
                    chars[at] = "abcde"[random.Next(5)];
                    break;
            }
        }

        return new string(chars.ToArray());
    }
}
