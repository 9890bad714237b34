using System.Collections.Concurrent;
using System.Text;
using EhrR1.Graph.Core.Text;
using EhrR1.Graph.Evidence.Graph;
using EhrR1.Graph.Evidence.Pairs;
using EhrR1.Graph.Evidence.Search;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>
/// Shared, thread-safe part of evidence building: graph, lifts, resolver and the pair cache. Each worker thread
/// gets its own <see cref="BidirectionalPathSearch"/> through <see cref="CreateWorker"/>.
/// </summary>
internal sealed class SampleEvidenceBuilder
{
    private readonly ConcurrentDictionary<long, PairSearchResult> _cache = new(Core.Collections.PairKeyComparer.Instance);
    private long _cacheHits;
    private long _cacheMisses;

    public SampleEvidenceBuilder(RelationGraph graph, LiftTable lifts, TermResolver resolver, EvidenceSettings settings)
    {
        Graph = graph;
        Lifts = lifts;
        Resolver = resolver;
        Settings = settings;
    }

    public RelationGraph Graph { get; }

    public LiftTable Lifts { get; }

    public TermResolver Resolver { get; }

    public EvidenceSettings Settings { get; }

    public long CacheHits => Interlocked.Read(ref _cacheHits);

    public long CacheMisses => Interlocked.Read(ref _cacheMisses);

    public Worker CreateWorker() => new(this, new BidirectionalPathSearch(Graph, Settings.Search));

    private PairSearchResult SearchCached(BidirectionalPathSearch search, int start, int end)
    {
        if (Settings.PairCacheCapacity <= 0)
        {
            Interlocked.Increment(ref _cacheMisses);
            return search.Search(start, end);
        }

        var key = Core.Collections.PairKeyComparer.Key(start, end);
        if (_cache.TryGetValue(key, out var hit))
        {
            Interlocked.Increment(ref _cacheHits);
            return hit;
        }

        Interlocked.Increment(ref _cacheMisses);
        var result = search.Search(start, end);
        if (_cache.Count < Settings.PairCacheCapacity)
        {
            _cache.TryAdd(key, result);
        }

        return result;
    }

    /// <summary>Per-thread builder.</summary>
    internal sealed class Worker(SampleEvidenceBuilder owner, BidirectionalPathSearch search)
    {
        public EvidenceRecord Build(string sampleId, string task, IReadOnlyList<string> targets, IReadOnlyCollection<string> history, IReadOnlyDictionary<string, string>? cuis)
        {
            var settings = owner.Settings;
            var graph = owner.Graph;
            var selection = PairSelection.Select(owner.Lifts, task, targets, history, settings.TopK);
            var pairs = new List<EvidencePair>(selection.Pairs.Count);
            var paths = new List<EvidencePath>();
            int noCui = 0, noPath = 0, endpoint = 0;
            var targetSet = new HashSet<int>();
            var historySet = new HashSet<int>();
            foreach (var pair in selection.Pairs)
            {
                var t = owner.Resolver.Resolve(pair.Target, cuis);
                var h = owner.Resolver.Resolve(pair.History, cuis);
                var tCui = t >= 0 ? graph.Cuis[t] : null;
                var hCui = h >= 0 ? graph.Cuis[h] : null;
                if (t < 0 || h < 0)
                {
                    noCui++;
                    pairs.Add(new EvidencePair(pair.Target, pair.History, pair.Lift, tCui, hCui, "no_cui", 0));
                    continue;
                }

                targetSet.Add(t);
                historySet.Add(h);
                var result = owner.SearchCached(search, t, h);
                if (result.Outcome != SearchOutcome.Found)
                {
                    noPath++;
                    pairs.Add(new EvidencePair(pair.Target, pair.History, pair.Lift, tCui, hCui, result.Outcome == SearchOutcome.BudgetExceeded ? "budget" : "no_path", result.Explored));
                    continue;
                }

                // Endpoint filter (upstream §2.5): a path must join a target and a history concept. With CUI
                // identity the only way to fail is a pair whose two terms are the same concept (a zero-hop path).
                var kept = 0;
                foreach (var p in result.Paths.Take(Math.Max(1, settings.PathsPerPair)))
                {
                    if (p.Length == 0 || p.Nodes[0] != t || p.Nodes[^1] != h)
                    {
                        continue;
                    }

                    paths.Add(ToEvidencePath(pair, p, result.Truncated));
                    kept++;
                }

                if (kept == 0)
                {
                    endpoint++;
                }

                pairs.Add(new EvidencePair(pair.Target, pair.History, pair.Lift, tCui, hCui, kept > 0 ? "path" : "endpoint_filtered", result.Explored));
            }

            var status = paths.Count > 0 ? EvidenceStatus.Graph
                : selection.Targets == 0 || selection.TargetsWithoutCooccurrence == selection.Targets ? EvidenceStatus.NoCooccurrence
                : selection.Pairs.Count == 0 ? EvidenceStatus.NoPairs
                : noCui == selection.Pairs.Count ? EvidenceStatus.NoCui
                : endpoint == 0 ? EvidenceStatus.NoPath
                : EvidenceStatus.EndpointFiltered;
            var counts = new EvidenceCounts(selection.Targets, selection.TargetsWithoutCooccurrence, selection.Pairs.Count, noCui, noPath, endpoint, paths.Count);
            return new EvidenceRecord(sampleId, task, status, counts, pairs, paths, PathRendering.Render(paths, settings.Format));
        }

        private EvidencePath ToEvidencePath(ConceptPair pair, GraphPath p, bool truncated)
        {
            var graph = owner.Graph;
            var nodes = new EvidenceNode[p.Nodes.Length];
            for (var i = 0; i < nodes.Length; i++)
            {
                var n = p.Nodes[i];
                nodes[i] = new EvidenceNode(graph.Cuis[n], graph.Names[n]);
            }

            var hops = new EvidenceHop[p.Hops.Length];
            for (var i = 0; i < hops.Length; i++)
            {
                var ld = p.Hops[i];
                hops[i] = new EvidenceHop(graph.Labels[RelationGraph.Label(ld)], RelationGraph.IsReverse(ld) ? "reverse" : "forward");
            }

            return new EvidencePath(pair.Target, pair.History, nodes, hops, truncated);
        }
    }
}

/// <summary>Renders a sample's paths for a prompt. The two ends are shown with the sample's own terms (what the
/// model sees in the EHR); intermediate concepts with their preferred names.</summary>
internal static class PathRendering
{
    public static string Render(IReadOnlyList<EvidencePath> paths, PathFormat format)
    {
        var sb = new StringBuilder();
        foreach (var path in paths)
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }

            sb.Append(format == PathFormat.Python ? Python(path) : Arrow(path));
        }

        return sb.ToString();
    }

    public static string Arrow(EvidencePath path)
    {
        var sb = new StringBuilder();
        sb.Append(NodeText(path, 0));
        for (var i = 0; i < path.Hops.Count; i++)
        {
            var hop = path.Hops[i];
            sb.Append(string.Equals(hop.Direction, "reverse", StringComparison.Ordinal)
                ? " ←[" + hop.Relation + "]— "
                : " —[" + hop.Relation + "]→ ");
            sb.Append(NodeText(path, i + 1));
        }

        return sb.ToString();
    }

    /// <summary>Upstream format: <c>['A', 'rel', 'B', ...]</c> (labels only, no direction, as upstream).</summary>
    public static string Python(EvidencePath path)
    {
        var items = new List<string>(path.Nodes.Count * 2) { NodeText(path, 0) };
        for (var i = 0; i < path.Hops.Count; i++)
        {
            items.Add(path.Hops[i].Relation);
            items.Add(NodeText(path, i + 1));
        }

        return PythonText.ReprList(items);
    }

    private static string NodeText(EvidencePath path, int index) =>
        index == 0 ? path.Target : index == path.Nodes.Count - 1 ? path.History : path.Nodes[index].Name;
}
