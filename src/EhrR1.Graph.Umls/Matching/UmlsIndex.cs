using System.Collections.Concurrent;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Umls.Indexing;
using EhrR1.Graph.Umls.Text;
using Lucene.Net.Index;
using Lucene.Net.Search;
using Lucene.Net.Store;

namespace EhrR1.Graph.Umls.Matching;

/// <summary>
/// An opened matcher index: one <see cref="IndexSearcher"/> shared by all threads, plus two bounded caches (posting
/// lists per n-gram feature, stored fields per document). Retrieval is SimString's algorithm on Lucene postings:
/// documents are stored in ascending feature count, so the size bounds of a query select one docID range; within it
/// the CPMerge rule (candidates from the |X|−τ+1 rarest features, then verification of the others) finds every
/// string whose overlap reaches τ(|X|,|Y|). Scores are exact, so the result equals brute-force scoring.
/// </summary>
internal sealed class UmlsIndex : IDisposable
{
    private readonly FSDirectory _directory;
    private readonly DirectoryReader _reader;
    private readonly int[] _sizeStart; // docs of feature count l are [_sizeStart[l], _sizeStart[l + 1])
    private readonly ConcurrentDictionary<string, int[]> _postings = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _postingsBySpan;
    private readonly ConcurrentDictionary<int, IndexedString> _docs = new();
    private readonly long _postingsBudget;
    private long _postingsCached;

    private UmlsIndex(string path, FSDirectory directory, DirectoryReader reader, IndexMetadata metadata, int[] sizeStart, long postingsBudget)
    {
        Path = path;
        _directory = directory;
        _reader = reader;
        Metadata = metadata;
        _sizeStart = sizeStart;
        Searcher = new IndexSearcher(reader);
        Normalizer = new TermNormalizer(metadata.Normalization);
        _postingsBySpan = _postings.GetAlternateLookup<ReadOnlySpan<char>>();
        _postingsBudget = postingsBudget;
    }

    public string Path { get; }

    public IndexMetadata Metadata { get; }

    public IndexSearcher Searcher { get; }

    public TermNormalizer Normalizer { get; }

    public int MaxFeatureCount => _sizeStart.Length - 2;

    public int DocumentCount => _reader.MaxDoc;

    /// <summary>Opens an index written by <see cref="UmlsIndexBuilder"/>.</summary>
    /// <param name="path">The index folder.</param>
    /// <param name="postingsCacheInts">Upper bound of cached posting entries (4 bytes each). Default 64M.</param>
    public static UmlsIndex Open(string path, long postingsCacheInts = 64L << 20)
    {
        var metaPath = System.IO.Path.Combine(path, IndexFields.MetadataFile);
        if (!File.Exists(metaPath))
        {
            throw new StageConfigurationException($"{path} is not a UMLS matcher index ({IndexFields.MetadataFile} is missing). Build one with 'ehr-graph umls build-index --rrf DIR --out {path}'.");
        }

        var metadata = JsonSerializer.Deserialize<IndexMetadata>(File.ReadAllText(metaPath), JsonDefaults.Indented)
            ?? throw new StageConfigurationException($"{metaPath} is empty.");
        if (metadata.Format != IndexMetadata.CurrentFormat || !metadata.SizeOrdered)
        {
            throw new StageConfigurationException($"{path} has index format {metadata.Format}; this tool reads format {IndexMetadata.CurrentFormat}. Rebuild the index with 'ehr-graph umls build-index'.");
        }

        var directory = FSDirectory.Open(path);
        DirectoryReader? reader = null;
        try
        {
            reader = DirectoryReader.Open(directory);
            var sizeStart = LoadSizeRanges(reader, metadata.MaxFeatureCount, path);
            return new UmlsIndex(path, directory, reader, metadata, sizeStart, postingsCacheInts);
        }
        catch
        {
            reader?.Dispose();
            directory.Dispose();
            throw;
        }
    }

    private static int[] LoadSizeRanges(DirectoryReader reader, int maxSize, string path)
    {
        var starts = new int[maxSize + 2];
        Array.Fill(starts, -1);
        var previous = 0;
        foreach (var leaf in reader.Leaves)
        {
            var values = leaf.AtomicReader.GetNumericDocValues(IndexFields.FeatureCountValues);
            for (var d = 0; d < leaf.AtomicReader.MaxDoc; d++)
            {
                var size = (int)values.Get(d);
                if (size < previous || size > maxSize)
                {
                    throw new StageConfigurationException($"{path}: documents are not in ascending feature-count order. Rebuild the index with 'ehr-graph umls build-index'.");
                }

                for (var l = previous + 1; l <= size; l++)
                {
                    starts[l] = leaf.DocBase + d;
                }

                previous = size;
            }
        }

        for (var l = previous + 1; l < starts.Length; l++)
        {
            starts[l] = reader.MaxDoc;
        }

        starts[0] = 0;
        return starts;
    }

    /// <summary>Feature count of a document (binary search over the size ranges).</summary>
    public int SizeOf(int docId)
    {
        int lo = 1, hi = _sizeStart.Length - 2;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (_sizeStart[mid] <= docId)
            {
                lo = mid;
            }
            else
            {
                hi = mid - 1;
            }
        }

        return lo;
    }

    /// <summary>Every document whose similarity to <paramref name="normalized"/> is ≥ <paramref name="threshold"/>, with its score.</summary>
    public List<ScoredDoc> Search(string normalized, SimilarityMeasure measure, double threshold)
    {
        var norm = Metadata.Normalization;
        var features = NgramFeatures.Extract(normalized, norm.NgramLength, norm.BeginEndMarks);
        var x = features.Length;
        var result = new List<ScoredDoc>();
        var (minSize, maxSize) = Similarity.SizeBounds(measure, threshold, x, MaxFeatureCount);
        if (minSize > maxSize)
        {
            return result;
        }

        var from = _sizeStart[minSize];
        var to = _sizeStart[maxSize + 1];
        if (from >= to)
        {
            return result;
        }

        // Smallest τ over the size range bounds the number of features a match can miss.
        var tauMin = int.MaxValue;
        for (var l = minSize; l <= maxSize; l++)
        {
            tauMin = Math.Min(tauMin, Similarity.MinOverlap(measure, threshold, x, l));
        }

        if (tauMin > x)
        {
            return result;
        }

        var slices = new ArraySegment<int>[x];
        for (var i = 0; i < x; i++)
        {
            slices[i] = Window(Postings(features[i]), from, to);
        }

        Array.Sort(slices, static (a, b) => a.Count.CompareTo(b.Count));
        var generators = x - tauMin + 1;
        var total = 0;
        for (var i = 0; i < generators; i++)
        {
            total += slices[i].Count;
        }

        if (total == 0)
        {
            return result;
        }

        var pool = new int[total];
        var at = 0;
        for (var i = 0; i < generators; i++)
        {
            slices[i].AsSpan().CopyTo(pool.AsSpan(at));
            at += slices[i].Count;
        }

        Array.Sort(pool);
        var candidates = new List<(int Doc, int Count)>();
        for (var i = 0; i < pool.Length;)
        {
            var j = i + 1;
            while (j < pool.Length && pool[j] == pool[i])
            {
                j++;
            }

            candidates.Add((pool[i], j - i));
            i = j;
        }

        foreach (var (doc, generated) in candidates)
        {
            var size = SizeOf(doc);
            var tau = Similarity.MinOverlap(measure, threshold, x, size);
            var count = generated;
            for (var i = generators; i < x && count < tau; i++)
            {
                if (count + (x - i) < tau)
                {
                    break;
                }

                if (slices[i].AsSpan().BinarySearch(doc) >= 0)
                {
                    count++;
                }
            }

            if (count >= tau)
            {
                // Exact overlap: verify the remaining slices too so the score is exact.
                var overlap = generated;
                for (var i = generators; i < x; i++)
                {
                    if (slices[i].AsSpan().BinarySearch(doc) >= 0)
                    {
                        overlap++;
                    }
                }

                result.Add(new ScoredDoc(doc, overlap, size, Similarity.Score(measure, overlap, x, size)));
            }
        }

        return result;
    }

    /// <summary>
    /// The same retrieval expressed as Lucene queries, one per candidate size l: a range query on the feature count
    /// [l, l] plus a disjunction of the query's feature terms with minimum-should-match τ(|X|, l); then exact rescoring.
    /// Slower than <see cref="Search"/>; kept as an independent reference and for tools.
    /// </summary>
    public List<ScoredDoc> SearchWithQueries(string normalized, SimilarityMeasure measure, double threshold)
    {
        var norm = Metadata.Normalization;
        var features = NgramFeatures.Extract(normalized, norm.NgramLength, norm.BeginEndMarks);
        var x = features.Length;
        var featureSet = new HashSet<string>(features, StringComparer.Ordinal);
        var result = new List<ScoredDoc>();
        var (minSize, maxSize) = Similarity.SizeBounds(measure, threshold, x, MaxFeatureCount);
        for (var l = minSize; l <= maxSize; l++)
        {
            var tau = Similarity.MinOverlap(measure, threshold, x, l);
            if (tau > x)
            {
                continue;
            }

            var terms = new BooleanQuery();
            foreach (var f in features)
            {
                terms.Add(new TermQuery(new Term(IndexFields.Feature, f)), Occur.SHOULD);
            }

            terms.MinimumNumberShouldMatch = tau;
            var query = new BooleanQuery
            {
                { NumericRangeQuery.NewInt32Range(IndexFields.FeatureCount, l, l, true, true), Occur.MUST },
                { terms, Occur.MUST },
            };
            var collector = new AllDocsCollector();
            Searcher.Search(query, collector);
            foreach (var doc in collector.Docs)
            {
                var other = NgramFeatures.Extract(Document(doc).Normalized, norm.NgramLength, norm.BeginEndMarks);
                var overlap = other.Count(featureSet.Contains);
                result.Add(new ScoredDoc(doc, overlap, other.Length, Similarity.Score(measure, overlap, x, other.Length)));
            }
        }

        result.Sort((a, b) => a.DocId.CompareTo(b.DocId));
        return result;
    }

    /// <summary>Stored fields of a document (cached).</summary>
    public IndexedString Document(int docId)
    {
        if (_docs.TryGetValue(docId, out var cached))
        {
            return cached;
        }

        var d = Searcher.Doc(docId);
        var entry = new IndexedString(
            docId,
            d.Get(IndexFields.Normalized),
            d.Get(IndexFields.Original) ?? d.Get(IndexFields.Normalized),
            d.Get(IndexFields.Cui),
            string.Equals(d.Get(IndexFields.Preferred), "Y", StringComparison.Ordinal),
            d.GetValues(IndexFields.Tui) ?? [],
            d.GetValues(IndexFields.Group) ?? []);
        if (_docs.Count > 2_000_000)
        {
            _docs.Clear();
        }

        _docs.TryAdd(docId, entry);
        return entry;
    }

    /// <summary>Documents whose keyword field equals <paramref name="value"/>.</summary>
    public List<int> TermDocs(string field, string value)
    {
        var docs = new List<int>();
        foreach (var leaf in _reader.Leaves)
        {
            var de = leaf.AtomicReader.GetTermDocsEnum(new Term(field, value));
            if (de is null)
            {
                continue;
            }

            int d;
            while ((d = de.NextDoc()) != DocIdSetIterator.NO_MORE_DOCS)
            {
                docs.Add(leaf.DocBase + d);
            }
        }

        return docs;
    }

    private int[] Postings(string feature)
    {
        if (_postingsBySpan.TryGetValue(feature.AsSpan(), out var cached))
        {
            return cached;
        }

        var docs = TermDocs(IndexFields.Feature, feature).ToArray();
        if (Interlocked.Add(ref _postingsCached, docs.Length) > _postingsBudget)
        {
            _postings.Clear();
            Interlocked.Exchange(ref _postingsCached, docs.Length);
        }

        _postings.TryAdd(feature, docs);
        return docs;
    }

    private static ArraySegment<int> Window(int[] postings, int from, int to)
    {
        var lo = LowerBound(postings, from);
        var hi = LowerBound(postings, to);
        return new ArraySegment<int>(postings, lo, hi - lo);
    }

    private static int LowerBound(int[] a, int value)
    {
        int lo = 0, hi = a.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (a[mid] < value)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    public void Dispose()
    {
        _reader.Dispose();
        _directory.Dispose();
    }

    private sealed class AllDocsCollector : ICollector
    {
        private int _docBase;

        public List<int> Docs { get; } = [];

        public bool AcceptsDocsOutOfOrder => true;

        public void Collect(int doc) => Docs.Add(_docBase + doc);

        public void SetNextReader(AtomicReaderContext context) => _docBase = context.DocBase;

        public void SetScorer(Scorer scorer)
        {
        }
    }
}
