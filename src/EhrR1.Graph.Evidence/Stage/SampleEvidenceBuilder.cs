using System.Collections.Concurrent;
using System.Text;
using EhrR1.Graph.Core.Formats;
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
    private readonly ConcurrentDictionary<int, KnowledgeReach> _reaches = new();
    private long _reachStates;
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

    public Worker CreateWorker() => new(this, new BidirectionalPathSearch(Graph, Settings.Search), new KnowledgePathSearch(Graph, Settings.Knowledge));

    /// <summary>What target <paramref name="start"/> reaches: from the cache, or explored now (and cached while the
    /// cache holds fewer than <see cref="KnowledgeSearchSettings.CacheStates"/> states).</summary>
    private KnowledgeReach ReachOf(KnowledgePathSearch search, int start)
    {
        if (_reaches.TryGetValue(start, out var hit))
        {
            Interlocked.Increment(ref _cacheHits);
            return hit;
        }

        Interlocked.Increment(ref _cacheMisses);
        var reach = search.Explore(start);
        if (Interlocked.Read(ref _reachStates) + reach.Entries.Length <= Settings.Knowledge.CacheStates && _reaches.TryAdd(start, reach))
        {
            Interlocked.Add(ref _reachStates, reach.Entries.Length);
        }

        return reach;
    }

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
    internal sealed class Worker(SampleEvidenceBuilder owner, BidirectionalPathSearch search, KnowledgePathSearch knowledge)
    {
        /// <summary>The evidence record of one sample. <paramref name="labFlags"/>: flags of the history's abnormal lab
        /// results (lab name → <c>high</c> / <c>low</c> / <c>abnormal</c>), used by the knowledge-first search only.</summary>
        public EvidenceRecord Build(string sampleId, string task, IReadOnlyList<string> targets, IReadOnlyCollection<string> history, IReadOnlyDictionary<string, string>? cuis, IReadOnlyDictionary<string, IReadOnlyList<string>>? labFlags = null) =>
            owner.Settings.Mode == SearchMode.Knowledge
                ? BuildKnowledge(sampleId, task, targets, history, cuis, labFlags)
                : BuildUpstream(sampleId, task, targets, history, cuis);

        /// <summary>
        /// Knowledge-first: for each target concept, the best-graded explanations to the sample's history concepts
        /// over knowledge relations (docs/evidence.md). Paths are ranked by grade, source quality, length and the
        /// pair's lift; each target keeps <see cref="KnowledgeSearchSettings.PathsPerTarget"/>.
        /// </summary>
        private EvidenceRecord BuildKnowledge(string sampleId, string task, IReadOnlyList<string> targets, IReadOnlyCollection<string> history, IReadOnlyDictionary<string, string>? cuis, IReadOnlyDictionary<string, IReadOnlyList<string>>? labFlags)
        {
            var settings = owner.Settings;
            var graph = owner.Graph;
            var historyNodes = new Dictionary<int, string>();
            foreach (var term in history.OrderBy(h => h, StringComparer.Ordinal))
            {
                var node = owner.Resolver.Resolve(term, cuis);
                if (node >= 0)
                {
                    historyNodes.TryAdd(node, term);
                }
            }

            Dictionary<int, int>? flaggedLabs = null;
            foreach (var (lab, flags) in labFlags ?? new Dictionary<string, IReadOnlyList<string>>())
            {
                var node = history.Contains(lab) ? owner.Resolver.Resolve(lab, cuis) : -1;
                if (node >= 0 && historyNodes.ContainsKey(node))
                {
                    flaggedLabs ??= [];
                    flaggedLabs[node] = flaggedLabs.GetValueOrDefault(node) | LabFlag.MaskOf(flags);
                }
            }

            var goals = new HashSet<int>(historyNodes.Keys);
            var pairs = new List<EvidencePair>();
            var ranked = new List<(EvidenceGrade Grade, int Rank, int Length, double Lift, int Order, EvidencePath Path)>();
            var seenTargets = new HashSet<string>(StringComparer.Ordinal);
            int resolvedTargets = 0, noPath = 0, hubCapped = 0, noCui = 0;
            foreach (var target in targets)
            {
                if (!seenTargets.Add(target))
                {
                    continue;
                }

                var t = owner.Resolver.Resolve(target, cuis);
                if (t < 0)
                {
                    noCui++;
                    pairs.Add(new EvidencePair(target, string.Empty, 0, null, null, EvidencePairStatus.NoCui, 0));
                    continue;
                }

                resolvedTargets++;
                var tCui = graph.Cuis[t];
                goals.Remove(t);
                var result = goals.Count == 0 ? new KnowledgeSearchResult([], 0, 0) : knowledge.Explain(owner.ReachOf(knowledge, t), goals, flaggedLabs);
                if (historyNodes.ContainsKey(t))
                {
                    goals.Add(t);
                }

                var kept = 0;
                foreach (var e in result.Explanations.Take(settings.Knowledge.PathsPerTarget))
                {
                    var historyTerm = historyNodes[e.History];
                    var lift = owner.Lifts.Find(task, target, historyTerm)?.Lift ?? 0;
                    var grade = EvidenceGrades.Name(e.Grade);
                    var path = ToKnowledgePath(target, historyTerm, e.Path, grade);
                    ranked.Add((e.Grade, e.SourceRank, e.Path.Length, lift, ranked.Count, path));
                    pairs.Add(new EvidencePair(target, historyTerm, lift, tCui, graph.Cuis[e.History], EvidencePairStatus.Path, result.Explored, grade));
                    kept++;
                }

                if (kept > 0)
                {
                    continue;
                }

                var status = result.HubsCapped > 0 ? EvidencePairStatus.HubCap : EvidencePairStatus.NoPath;
                if (result.HubsCapped > 0) { hubCapped++; } else { noPath++; }
                pairs.Add(new EvidencePair(target, string.Empty, 0, tCui, null, status, result.Explored));
                if (settings.CooccurrenceFallback)
                {
                    foreach (var c in owner.Lifts.Candidates(task, target).Where(c => history.Contains(c.History)).Take(settings.Knowledge.PathsPerTarget))
                    {
                        var h = owner.Resolver.Resolve(c.History, cuis);
                        var nodes = new[] { new EvidenceNode(tCui, graph.Names[t], graph.KindOf(t)), h >= 0 ? new EvidenceNode(graph.Cuis[h], graph.Names[h], graph.KindOf(h)) : new EvidenceNode(string.Empty, c.History) };
                        var note = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"observed together in {c.Count} samples (lift {c.Lift:F1})");
                        var hop = new EvidenceHop(RelationGraph.CooccurLabel, "forward", "co-occurrence", "forward", note);
                        ranked.Add((EvidenceGrade.Cooccurrence, 9, 1, c.Lift, ranked.Count, new EvidencePath(target, c.History, nodes, [hop], false, EvidenceGrades.Name(EvidenceGrade.Cooccurrence))));
                    }
                }
            }

            var paths = ranked
                .OrderBy(r => r.Grade).ThenBy(r => r.Rank).ThenBy(r => r.Length).ThenByDescending(r => r.Lift).ThenBy(r => r.Order)
                .Select(r => r.Path).ToList();
            var sampleStatus = paths.Count > 0 ? EvidenceStatus.Graph
                : resolvedTargets == 0 ? EvidenceStatus.NoTargetConcept
                : historyNodes.Count == 0 ? EvidenceStatus.NoHistoryConcept
                : hubCapped > 0 ? EvidenceStatus.HubCap
                : EvidenceStatus.NoPath;
            var best = ranked.Count > 0 ? EvidenceGrades.Name(ranked.Min(r => r.Grade)) : EvidenceGrades.None;
            var counts = new EvidenceCounts(seenTargets.Count, 0, pairs.Count(p => p.Status == EvidencePairStatus.Path), noCui, noPath + hubCapped, 0, paths.Count);
            return new EvidenceRecord(sampleId, task, sampleStatus, counts, pairs, paths, PathRendering.Render(paths, settings.Format), best, "knowledge");
        }

        private EvidencePath ToKnowledgePath(string target, string history, GraphPath p, string grade)
        {
            var graph = owner.Graph;
            var nodes = new EvidenceNode[p.Nodes.Length];
            for (var i = 0; i < nodes.Length; i++)
            {
                nodes[i] = new EvidenceNode(graph.Cuis[p.Nodes[i]], graph.Names[p.Nodes[i]], graph.KindOf(p.Nodes[i]));
            }

            var hops = new EvidenceHop[p.Hops.Length];
            for (var i = 0; i < hops.Length; i++)
            {
                var ld = p.Hops[i];
                var reverse = RelationGraph.IsReverse(ld);

                // a stored row reads "CUI2 RELA CUI1": walking it backwards (reverse) reads along the path
                hops[i] = new EvidenceHop(graph.Labels[RelationGraph.Label(ld)], reverse ? "reverse" : "forward", graph.SourceOf(p.HopIndices[i]), reverse ? "forward" : "backward");
            }

            return new EvidencePath(target, history, nodes, hops, false, grade);
        }

        private EvidenceRecord BuildUpstream(string sampleId, string task, IReadOnlyList<string> targets, IReadOnlyCollection<string> history, IReadOnlyDictionary<string, string>? cuis)
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
                    pairs.Add(new EvidencePair(pair.Target, pair.History, pair.Lift, tCui, hCui, EvidencePairStatus.NoCui, 0));
                    continue;
                }

                targetSet.Add(t);
                historySet.Add(h);
                var result = owner.SearchCached(search, t, h);
                if (result.Outcome != SearchOutcome.Found)
                {
                    noPath++;
                    pairs.Add(new EvidencePair(pair.Target, pair.History, pair.Lift, tCui, hCui, result.Outcome == SearchOutcome.BudgetExceeded ? EvidencePairStatus.Budget : EvidencePairStatus.NoPath, result.Explored));
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

                pairs.Add(new EvidencePair(pair.Target, pair.History, pair.Lift, tCui, hCui, kept > 0 ? EvidencePairStatus.Path : EvidencePairStatus.EndpointFiltered, result.Explored));
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
                var source = graph.SourceOf(graph.FindHop(p.Nodes[i], p.Nodes[i + 1], ld));
                hops[i] = new EvidenceHop(graph.Labels[RelationGraph.Label(ld)], RelationGraph.IsReverse(ld) ? "reverse" : "forward", source.Length > 0 ? source : null);
            }

            var roles = p.Hops.Select(h => graph.Labels[RelationGraph.Label(h)]).Select(l => string.Equals(l, RelationGraph.CooccurLabel, StringComparison.Ordinal) ? (Core.Concepts.RelationRole?)null : Core.Concepts.ClinicalRelations.RoleOf(l));
            return new EvidencePath(pair.Target, pair.History, nodes, hops, truncated, EvidenceGrades.Name(EvidenceGrades.Of(roles)));
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

    /// <summary>
    /// <c>A —[rel]→ B</c>. Knowledge-first paths (hops that say how they read) start with their grade and show each
    /// hop in the direction it reads, with its sources: <c>[direct] insulin —[may_treat · LABELEDIN]→ diabetes</c>;
    /// a co-occurrence hop shows what it is, never a relation: <c>A —(observed together in 12 samples (lift 6.3))— B</c>.
    /// </summary>
    public static string Arrow(EvidencePath path)
    {
        var sb = new StringBuilder();
        var knowledge = path.Hops.Count > 0 && path.Hops[0].Reads is not null;
        if (knowledge && path.Grade is not null)
        {
            sb.Append('[').Append(GradeText(path.Grade)).Append("] ");
        }

        sb.Append(NodeText(path, 0));
        for (var i = 0; i < path.Hops.Count; i++)
        {
            var hop = path.Hops[i];
            if (hop.Note is not null)
            {
                sb.Append(" —(").Append(hop.Note).Append(")— ");
            }
            else if (knowledge)
            {
                var label = string.IsNullOrEmpty(hop.Source) ? hop.Relation : hop.Relation + " · " + hop.Source;
                sb.Append(string.Equals(hop.Reads, "backward", StringComparison.Ordinal) ? " ←[" + label + "]— " : " —[" + label + "]→ ");
            }
            else
            {
                sb.Append(string.Equals(hop.Direction, "reverse", StringComparison.Ordinal)
                    ? " ←[" + hop.Relation + "]— "
                    : " —[" + hop.Relation + "]→ ");
            }

            sb.Append(NodeText(path, i + 1));
        }

        return sb.ToString();
    }

    private static string GradeText(string grade) => grade switch
    {
        "shared_indication" => "shared indication",
        "cooccurrence" => "co-occurrence, not knowledge",
        _ => grade,
    };

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
