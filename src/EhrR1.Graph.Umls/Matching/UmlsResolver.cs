using System.Collections.Concurrent;
using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Umls.Indexing;
using Lucene.Net.Analysis.TokenAttributes;
using Lucene.Net.Index;
using Lucene.Net.Search;

namespace EhrR1.Graph.Umls.Matching;

/// <summary>
/// Term → concept, in three steps (the upstream <c>termToCui</c> chain, with the index as the store):
/// 1. exact: the normalised term equals an indexed normalised string (case-insensitive keyword lookup);
/// 2. phrase: a Lucene phrase query of the term's words over the indexed strings, best relevance first;
/// 3. approximate: the matcher's n-gram retrieval on the whole term (similarity ≥ threshold), best first.
/// Ties prefer preferred names, then the lowest CUI. Thread-safe; results are cached per term.
/// </summary>
internal sealed class UmlsResolver : IConceptResolver, IDisposable
{
    private readonly UmlsIndex _index;
    private readonly MatcherSettings _settings;
    private readonly Lucene.Net.Analysis.Analyzer _analyzer = UmlsIndexBuilder.CreateWordsAnalyzer();
    private readonly ConcurrentDictionary<string, ResolvedConcept?> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string?> _names = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ResolvedConcept?> _typedCache = new(StringComparer.Ordinal);

    /// <summary>Creates a resolver; <paramref name="settings"/> gives the approximate step's measure, threshold and accepted types.</summary>
    public UmlsResolver(UmlsIndex index, MatcherSettings? settings = null)
    {
        _index = index;
        _settings = settings ?? new MatcherSettings { AcceptedSemanticTypes = null };
    }

    public ResolvedConcept? Resolve(string term)
    {
        ArgumentNullException.ThrowIfNull(term);
        var cleaned = term.Replace('"', ' ').Trim();
        var key = _index.Normalizer.Normalize(cleaned);
        if (key.Length == 0)
        {
            return null;
        }

        if (_cache.TryGetValue(key, out var cached))
        {
            return cached;
        }

        var reduced = TermReducer.Reduce(key);
        if (reduced.Length < _index.Metadata.Normalization.MinLength || string.Equals(reduced, key, StringComparison.Ordinal))
        {
            reduced = null;
        }

        var result = Exact(key, "exact")
            ?? (reduced is null ? null : Exact(reduced, "exact_reduced"))
            ?? Phrase(key, "phrase")
            ?? (reduced is null ? null : Phrase(reduced, "phrase_reduced"))
            ?? Approximate(key);
        if (_cache.Count > 500_000)
        {
            _cache.Clear();
        }

        _cache.TryAdd(key, result);
        return result;
    }

    public ResolvedConcept? Resolve(string term, IReadOnlySet<string> preferredTypes)
    {
        ArgumentNullException.ThrowIfNull(term);
        ArgumentNullException.ThrowIfNull(preferredTypes);
        var key = _index.Normalizer.Normalize(term.Replace('"', ' ').Trim());
        if (key.Length == 0 || preferredTypes.Count == 0)
        {
            return Resolve(term);
        }

        var cacheKey = string.Join(',', preferredTypes.Order(StringComparer.Ordinal)) + "\u0001" + key;
        if (!_typedCache.TryGetValue(cacheKey, out var typed))
        {
            typed = Exact(key, "exact", preferredTypes);
            if (_typedCache.Count > 500_000)
            {
                _typedCache.Clear();
            }

            _typedCache.TryAdd(cacheKey, typed);
        }

        return typed ?? Resolve(term);
    }

    public string? PreferredName(string cui)
    {
        ArgumentNullException.ThrowIfNull(cui);
        return _names.GetOrAdd(cui, c =>
        {
            IndexedString? best = null;
            foreach (var d in _index.TermDocs(IndexFields.Cui, c))
            {
                var doc = _index.Document(d);
                if (best is null || (doc.Preferred && !best.Preferred))
                {
                    best = doc;
                }
            }

            return best?.Original;
        });
    }

    private ResolvedConcept? Exact(string key, string method, IReadOnlySet<string>? types = null)
    {
        var docs = _index.TermDocs(IndexFields.Normalized, key).Select(_index.Document)
            .Where(d => Accepted(d.Tuis) && (types is null || d.Tuis.Any(types.Contains))).ToList();
        if (docs.Count == 0)
        {
            return null;
        }

        var best = docs.OrderByDescending(d => d.Atoms).ThenByDescending(d => d.Preferred).ThenBy(d => d.Cui, StringComparer.Ordinal).First();
        return Make(best.Cui, method, 1.0, best.Tuis);
    }

    private ResolvedConcept? Phrase(string key, string method)
    {
        var query = new PhraseQuery();
        using (var ts = _analyzer.GetTokenStream(IndexFields.Words, key))
        {
            var term = ts.AddAttribute<ICharTermAttribute>();
            ts.Reset();
            while (ts.IncrementToken())
            {
                query.Add(new Term(IndexFields.Words, term.ToString()));
            }

            ts.End();
        }

        if (query.GetTerms().Length == 0)
        {
            return null;
        }

        var top = _index.Searcher.Search(query, 50);
        IndexedString? best = null;
        float bestScore = 0;
        foreach (var hit in top.ScoreDocs)
        {
            var doc = _index.Document(hit.Doc);
            if (!Accepted(doc.Tuis))
            {
                continue;
            }

            if (best is null || hit.Score > bestScore || (hit.Score == bestScore && doc.Preferred && !best.Preferred))
            {
                best = doc;
                bestScore = hit.Score;
            }
        }

        if (best is null)
        {
            return null;
        }

        var norm = _index.Metadata.Normalization;
        var x = Text.NgramFeatures.Extract(key, norm.NgramLength, norm.BeginEndMarks);
        var y = new HashSet<string>(Text.NgramFeatures.Extract(best.Normalized, norm.NgramLength, norm.BeginEndMarks), StringComparer.Ordinal);
        var overlap = x.Count(y.Contains);
        return Make(best.Cui, method, Similarity.Score(_settings.Similarity, overlap, x.Length, y.Count), best.Tuis);
    }

    private ResolvedConcept? Approximate(string key)
    {
        ScoredDoc? best = null;
        IndexedString? bestDoc = null;
        foreach (var hit in _index.Search(key, _settings.Similarity, _settings.Threshold))
        {
            var doc = _index.Document(hit.DocId);
            if (!Accepted(doc.Tuis))
            {
                continue;
            }

            if (best is null || hit.Similarity > best.Value.Similarity
                || (hit.Similarity == best.Value.Similarity && (doc.Preferred && !bestDoc!.Preferred
                    || (doc.Preferred == bestDoc!.Preferred && string.CompareOrdinal(doc.Cui, bestDoc.Cui) < 0))))
            {
                best = hit;
                bestDoc = doc;
            }
        }

        return bestDoc is null ? null : Make(bestDoc.Cui, "approximate", best!.Value.Similarity, bestDoc.Tuis);
    }

    private ResolvedConcept Make(string cui, string method, double score, IReadOnlyList<string> tuis) =>
        new(cui, PreferredName(cui) ?? cui, method, score, tuis);

    private bool Accepted(IReadOnlyList<string> tuis) =>
        _settings.AcceptedSemanticTypes is not { } accepted || tuis.Any(accepted.Contains);

    public void Dispose() => _analyzer.Dispose();
}
