using System.Collections.Concurrent;
using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Umls.Matching;

/// <summary>
/// The QuickUMLS-equivalent matcher (see docs/umls.md for the exact rules). Thread-safe: all threads share one
/// <see cref="UmlsIndex"/> (one Lucene searcher) and one bounded cache of per-string results.
/// </summary>
internal sealed class UmlsMatcher : ITextConceptMatcher
{
    private readonly ConcurrentDictionary<string, ConceptCandidate[]> _cache = new(StringComparer.Ordinal);
    [ThreadStatic]
    private static Scratch? t_scratch;

    public UmlsMatcher(UmlsIndex index, MatcherSettings settings)
    {
        var problems = settings.Validate().ToList();
        if (problems.Count > 0)
        {
            throw new Core.Errors.StageConfigurationException(string.Join(" ", problems));
        }

        Index = index;
        Settings = settings;
    }

    public UmlsIndex Index { get; }

    public MatcherSettings Settings { get; }

    public IReadOnlyList<ConceptSpan> Match(string text, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = t_scratch ??= new Scratch();
        ClinicalTokenizer.Tokenize(text, s.Tokens);
        SpanGenerator.Generate(text, s.Tokens, Settings.Window, Settings.MinMatchLength, s.Spans);
        var matched = new List<(int Order, CandidateSpan Span, ConceptCandidate[] Candidates)>();
        for (var k = 0; k < s.Spans.Count; k++)
        {
            if ((k & 63) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

            var span = s.Spans[k];
            var candidates = Candidates(span.Text);
            if (candidates.Length > 0)
            {
                matched.Add((k, span, candidates));
            }
        }

        IEnumerable<(int Order, CandidateSpan Span, ConceptCandidate[] Candidates)> chosen = matched;
        if (Settings.BestMatch)
        {
            chosen = SelectNonOverlapping(matched);
        }

        return chosen
            .OrderBy(m => m.Span.Start).ThenBy(m => m.Span.End)
            .Select(m => new ConceptSpan(m.Span.Start, m.Span.End, text[m.Span.Start..m.Span.End], m.Candidates))
            .ToList();
    }

    /// <summary>Ranked candidates for one piece of text (normalised here), after the semantic-type filter.</summary>
    public ConceptCandidate[] Candidates(string spanText)
    {
        var key = Index.Normalizer.Normalize(spanText);
        if (key.Length == 0)
        {
            return [];
        }

        if (Settings.CacheEntries > 0 && _cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var hits = Index.Search(key, Settings.Similarity, Settings.Threshold);
        var best = new Dictionary<string, ConceptCandidate>(StringComparer.Ordinal);
        foreach (var hit in hits)
        {
            var doc = Index.Document(hit.DocId);
            if (!Accepted(doc.Tuis))
            {
                continue;
            }

            var candidate = new ConceptCandidate(doc.Cui, doc.Normalized, hit.Similarity, doc.Preferred, doc.Tuis);
            if (!best.TryGetValue(doc.Cui, out var existing) || Compare(candidate, existing) < 0)
            {
                best[doc.Cui] = candidate;
            }
        }

        var ranked = best.Values.ToArray();
        Array.Sort(ranked, Compare);
        if (Settings.MaxCandidates > 0 && ranked.Length > Settings.MaxCandidates)
        {
            ranked = ranked[..Settings.MaxCandidates];
        }

        if (Settings.CacheEntries > 0)
        {
            if (_cache.Count >= Settings.CacheEntries)
            {
                _cache.Clear();
            }

            _cache.TryAdd(key, ranked);
        }

        return ranked;
    }

    private bool Accepted(IReadOnlyList<string> tuis)
    {
        var accepted = Settings.AcceptedSemanticTypes;
        if (accepted is null)
        {
            return true;
        }

        foreach (var t in tuis)
        {
            if (accepted.Contains(t))
            {
                return true;
            }
        }

        return false;
    }

    private int Compare(ConceptCandidate a, ConceptCandidate b)
    {
        int c;
        if (Settings.Ranking == CandidateRanking.Upstream)
        {
            c = (b.Similarity + (b.Preferred ? 1 : 0)).CompareTo(a.Similarity + (a.Preferred ? 1 : 0));
        }
        else
        {
            c = b.Similarity.CompareTo(a.Similarity);
            if (c == 0)
            {
                c = b.Preferred.CompareTo(a.Preferred);
            }
        }

        if (c == 0)
        {
            c = string.CompareOrdinal(a.Cui, b.Cui);
        }

        return c != 0 ? c : string.CompareOrdinal(a.Term, b.Term);
    }

    private List<(int Order, CandidateSpan Span, ConceptCandidate[] Candidates)> SelectNonOverlapping(
        List<(int Order, CandidateSpan Span, ConceptCandidate[] Candidates)> matched)
    {
        var byLength = Settings.OverlappingCriteria == OverlapCriterion.Length;
        var ordered = matched.ToArray();
        Array.Sort(ordered, (a, b) =>
        {
            var sa = a.Candidates[0].Similarity;
            var sb = b.Candidates[0].Similarity;
            var la = a.Span.End - a.Span.Start;
            var lb = b.Span.End - b.Span.Start;
            var c = byLength ? lb.CompareTo(la) : sb.CompareTo(sa);
            if (c == 0)
            {
                c = byLength ? sb.CompareTo(sa) : lb.CompareTo(la);
            }

            return c != 0 ? c : a.Order.CompareTo(b.Order);
        });
        var kept = new List<(int Order, CandidateSpan Span, ConceptCandidate[] Candidates)>();
        foreach (var m in ordered)
        {
            var overlaps = false;
            foreach (var k in kept)
            {
                if (m.Span.Start < k.Span.End && k.Span.Start < m.Span.End)
                {
                    overlaps = true;
                    break;
                }
            }

            if (!overlaps)
            {
                kept.Add(m);
            }
        }

        return kept;
    }

    private sealed class Scratch
    {
        public List<Token> Tokens { get; } = [];

        public List<CandidateSpan> Spans { get; } = [];
    }
}
