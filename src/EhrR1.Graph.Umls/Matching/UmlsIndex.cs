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
    [ThreadStatic]
    private static SearchScratch? t_search;

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

    /// <summary>Every document whose similarity to <paramref name="normalized"/> is ≥ <paramref name="threshold"/>, with its score, in docID order.</summary>
    public List<ScoredDoc> Search(string normalized, SimilarityMeasure measure, double threshold)
    {
        var result = new List<ScoredDoc>();
        Search(normalized, measure, threshold, result);
        return result;
    }

    /// <summary>
    /// <see cref="Search(string, SimilarityMeasure, double)"/> into a caller's list (cleared first). Size by size l
    /// (each a contiguous docID range): τ = τ(|X|, l); candidates are merged from the |X| − τ + 1 shortest posting
    /// slices; the other slices are then checked in ascending length, each with a galloping search that moves
    /// forward only, and a candidate is dropped as soon as the slices left cannot lift it to τ. Survivors are checked
    /// against every slice, so their overlap, hence their score, is exact.
    /// </summary>
    public void Search(string normalized, SimilarityMeasure measure, double threshold, List<ScoredDoc> result)
    {
        result.Clear();
        var norm = Metadata.Normalization;
        var features = NgramFeatures.Extract(normalized, norm.NgramLength, norm.BeginEndMarks);
        var x = features.Length;
        var (minSize, maxSize) = Similarity.SizeBounds(measure, threshold, x, MaxFeatureCount);
        if (minSize > maxSize || _sizeStart[minSize] >= _sizeStart[maxSize + 1])
        {
            return;
        }

        var s = t_search ??= new SearchScratch();
        s.Ensure(x);
        var postings = s.Postings;
        var cursor = s.Cursor; // per feature: start of the current size's slice (sizes ascend, so cursors only move forward)
        var rangeFrom = _sizeStart[minSize];
        for (var i = 0; i < x; i++)
        {
            var p = Postings(features[i]);
            postings[i] = p;
            cursor[i] = LowerBound(p, 0, p.Length, rangeFrom);
        }

        var slices = s.Slices;
        for (var l = minSize; l <= maxSize; l++)
        {
            var to = _sizeStart[l + 1];
            if (_sizeStart[l] >= to)
            {
                continue;
            }

            var nonEmpty = 0;
            for (var i = 0; i < x; i++)
            {
                var p = postings[i];
                var lo = cursor[i];
                var hi = Gallop(p, lo, p.Length, to);
                cursor[i] = hi;
                slices[i] = new Slice(p, lo, hi);
                if (hi > lo)
                {
                    nonEmpty++;
                }
            }

            var tau = Similarity.MinOverlap(measure, threshold, x, l);
            if (tau > x)
            {
                continue;
            }

            if (nonEmpty < tau)
            {
                continue; // no document of this size can share τ features
            }

            // Ascending length (insertion sort: x is small).
            for (var i = 1; i < x; i++)
            {
                var v = slices[i];
                var j = i - 1;
                while (j >= 0 && slices[j].Count > v.Count)
                {
                    slices[j + 1] = slices[j];
                    j--;
                }

                slices[j + 1] = v;
            }

            var generators = x - tau + 1;
            var candidates = Generate(slices, generators, s);
            for (var i = generators; i < x && candidates > 0; i++)
            {
                var slice = slices[i];
                var left = x - 1 - i; // slices after this one
                var pos = slice.Start;
                var kept = 0;
                for (var c = 0; c < candidates; c++)
                {
                    var doc = s.Docs[c];
                    var count = s.Counts[c];
                    pos = Gallop(slice.Array, pos, slice.End, doc);
                    if (pos < slice.End && slice.Array[pos] == doc)
                    {
                        count++;
                    }

                    if (count + left >= tau)
                    {
                        s.Docs[kept] = doc;
                        s.Counts[kept] = count;
                        kept++;
                    }
                }

                candidates = kept;
            }

            for (var c = 0; c < candidates; c++)
            {
                var overlap = s.Counts[c];
                if (overlap >= tau)
                {
                    result.Add(new ScoredDoc(s.Docs[c], overlap, l, Similarity.Score(measure, overlap, x, l)));
                }
            }
        }
    }

    /// <summary>Distinct docs of the first <paramref name="generators"/> slices with their occurrence counts, ascending, into the scratch arrays.</summary>
    private static int Generate(Slice[] slices, int generators, SearchScratch s)
    {
        var total = 0;
        for (var i = 0; i < generators; i++)
        {
            total += slices[i].Count;
        }

        if (total == 0)
        {
            return 0;
        }

        s.EnsureCandidates(total);
        if (generators == 1)
        {
            var only = slices[0];
            Array.Copy(only.Array, only.Start, s.Docs, 0, total);
            Array.Fill(s.Counts, 1, 0, total);
            return total;
        }

        if (generators <= 8)
        {
            return Merge(slices, generators, s);
        }

        var pool = s.Pool;
        var at = 0;
        for (var i = 0; i < generators; i++)
        {
            Array.Copy(slices[i].Array, slices[i].Start, pool, at, slices[i].Count);
            at += slices[i].Count;
        }

        Array.Sort(pool, 0, total);
        var n = 0;
        for (var i = 0; i < total;)
        {
            var j = i + 1;
            while (j < total && pool[j] == pool[i])
            {
                j++;
            }

            s.Docs[n] = pool[i];
            s.Counts[n] = j - i;
            n++;
            i = j;
        }

        return n;
    }

    /// <summary>A k-way merge of a few sorted slices (no duplicates within a slice), counting each doc's slices.</summary>
    private static int Merge(Slice[] slices, int k, SearchScratch s)
    {
        var heads = s.Heads;
        for (var i = 0; i < k; i++)
        {
            heads[i] = slices[i].Start;
        }

        var n = 0;
        while (true)
        {
            var min = int.MaxValue;
            for (var i = 0; i < k; i++)
            {
                if (heads[i] < slices[i].End && slices[i].Array[heads[i]] < min)
                {
                    min = slices[i].Array[heads[i]];
                }
            }

            if (min == int.MaxValue)
            {
                return n;
            }

            var count = 0;
            for (var i = 0; i < k; i++)
            {
                if (heads[i] < slices[i].End && slices[i].Array[heads[i]] == min)
                {
                    heads[i]++;
                    count++;
                }
            }

            s.Docs[n] = min;
            s.Counts[n] = count;
            n++;
        }
    }

    /// <summary>First index in [<paramref name="lo"/>, <paramref name="end"/>) whose value is ≥ <paramref name="value"/> (exponential then binary search).</summary>
    private static int Gallop(int[] a, int lo, int end, int value)
    {
        if (lo >= end || a[lo] >= value)
        {
            return lo;
        }

        var step = 1;
        var hi = lo + 1;
        while (hi < end && a[hi] < value)
        {
            lo = hi;
            step <<= 1;
            hi = lo + step;
        }

        return LowerBound(a, lo + 1, Math.Min(hi, end), value);
    }

    /// <summary>
    /// The same retrieval expressed as Lucene queries, one per candidate size l: a range query on the feature count
    /// [l, l] plus a disjunction of the query's feature terms with minimum-should-match τ(|X|, l); then exact rescoring.
    /// Slower than <see cref="Search(string, SimilarityMeasure, double)"/>; kept as an independent reference and for tools.
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
            d.GetValues(IndexFields.Group) ?? [],
            d.GetField(IndexFields.Atoms)?.GetInt32Value() ?? 1);
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

    private static int LowerBound(int[] a, int lo, int hi, int value)
    {
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

    private readonly record struct Slice(int[] Array, int Start, int End)
    {
        public int Count => End - Start;
    }

    /// <summary>Per-thread buffers of <see cref="Search(string, SimilarityMeasure, double, List{ScoredDoc})"/>.</summary>
    private sealed class SearchScratch
    {
        public int[][] Postings { get; private set; } = new int[64][];

        public Slice[] Slices { get; private set; } = new Slice[64];

        public int[] Cursor { get; private set; } = new int[64];

        public int[] Heads { get; } = new int[8];

        public int[] Pool { get; private set; } = new int[4096];

        public int[] Docs { get; private set; } = new int[4096];

        public int[] Counts { get; private set; } = new int[4096];

        public void Ensure(int features)
        {
            if (Postings.Length < features)
            {
                Postings = new int[features * 2][];
                Slices = new Slice[features * 2];
                Cursor = new int[features * 2];
            }
        }

        public void EnsureCandidates(int total)
        {
            if (Pool.Length < total)
            {
                var n = Math.Max(total, Pool.Length * 2);
                Pool = new int[n];
                Docs = new int[n];
                Counts = new int[n];
            }
        }
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
