using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Evidence.Graph;

namespace EhrR1.Graph.Evidence.Search;

/// <summary>
/// How strongly a path explains a target by a history concept, best first. Names as written in
/// <c>evidence.jsonl</c> come from <see cref="EvidenceGrades"/>.
/// </summary>
internal enum EvidenceGrade
{
    /// <summary>One clinical relation (treats, prevents, indicates, causes) joins them, give or take code mappings,
    /// ingredients and hierarchy.</summary>
    Direct = 0,

    /// <summary>The two share a pharmacologic class (drug → class ← drug).</summary>
    Class = 1,

    /// <summary>Two clinical relations through a third concept (drug → condition ← drug): a hypothesis.</summary>
    SharedIndication = 2,

    /// <summary>Clinical and class relations in another combination (e.g. class, then an indication).</summary>
    Chain = 3,

    /// <summary>Only grouping categories (CCS/CCSR), hierarchy and mappings.</summary>
    Grouping = 4,

    /// <summary>A co-occurrence edge (upstream mode, or the opt-in fallback): observed together, not knowledge.</summary>
    Cooccurrence = 5,
}

/// <summary>Grade names as written in the evidence records and reports.</summary>
internal static class EvidenceGrades
{
    public const string None = "none";

    public static readonly IReadOnlyList<EvidenceGrade> All =
        [EvidenceGrade.Direct, EvidenceGrade.Class, EvidenceGrade.SharedIndication, EvidenceGrade.Chain, EvidenceGrade.Grouping, EvidenceGrade.Cooccurrence];

    public static string Name(EvidenceGrade grade) => grade switch
    {
        EvidenceGrade.Direct => "direct",
        EvidenceGrade.Class => "class",
        EvidenceGrade.SharedIndication => "shared_indication",
        EvidenceGrade.Chain => "chain",
        EvidenceGrade.Grouping => "grouping",
        _ => "cooccurrence",
    };

    /// <summary>The grade of a path from its hops' roles (co_occurs hops have no role: pass <c>null</c>).</summary>
    public static EvidenceGrade Of(IEnumerable<RelationRole?> roles)
    {
        int clinical = 0, cls = 0, grouping = 0;
        foreach (var r in roles)
        {
            switch (r)
            {
                case null: return EvidenceGrade.Cooccurrence;
                case RelationRole.Clinical: clinical++; break;
                case RelationRole.DrugClass: cls++; break;
                case RelationRole.Grouping: grouping++; break;
            }
        }

        return Of(clinical, cls, grouping);
    }

    public static EvidenceGrade Of(int clinical, int cls, int grouping) => (clinical, cls, grouping) switch
    {
        (1, 0, 0) => EvidenceGrade.Direct,
        (0, 2, 0) => EvidenceGrade.Class,
        (2, 0, 0) => EvidenceGrade.SharedIndication,
        (0, 0, _) when cls == 0 => EvidenceGrade.Grouping,
        (0, 1, _) => EvidenceGrade.Grouping, // a drug and its own class: hierarchy-like
        _ => EvidenceGrade.Chain,
    };
}

/// <summary>One explanation found from a target node: the history node it reaches, the path, its grade, the worst
/// source rank of its clinical and class hops (lower is better; a hop two sources give counts as expert), and the
/// number of hops.</summary>
internal sealed record KnowledgeExplanation(int History, GraphPath Path, EvidenceGrade Grade, int SourceRank);

/// <summary>What one knowledge search from a target found.</summary>
internal sealed record KnowledgeSearchResult(IReadOnlyList<KnowledgeExplanation> Explanations, int Explored, int HubsCapped);

/// <summary>
/// Everything a target reaches within the hop limit: the search tree (entries with parent pointers) and, per reached
/// node, its best entry. It does not depend on the sample, so one exploration serves every sample with that target
/// (<see cref="KnowledgePathSearch.Explore"/>; the evidence stage caches it). Immutable once built.
/// </summary>
internal sealed class KnowledgeReach
{
    internal KnowledgeReach(KnowledgeEntry[] entries, Dictionary<int, int> best, int hubsCapped)
    {
        Entries = entries;
        Best = best;
        HubsCapped = hubsCapped;
    }

    internal KnowledgeEntry[] Entries { get; }

    internal Dictionary<int, int> Best { get; }

    /// <summary>Hubs the search met and did not walk through.</summary>
    public int HubsCapped { get; }

    /// <summary>Search states added (the start excluded).</summary>
    public int Explored => Entries.Length - 1;
}

/// <summary>A search-tree entry: node, state (clinical·9 + class·3 + grouping), parent entry, hop index, depth and
/// the worst source rank so far.</summary>
internal readonly record struct KnowledgeEntry(int Node, int State, int Parent, int Hop, int Depth, int Rank);

/// <summary>
/// Knowledge-first search (the default): breadth-first from a target concept over knowledge relations only (never a
/// <c>co_occurs</c> hop), at most <see cref="KnowledgeSearchSettings.MaxHops"/> hops, not expanding through hubs
/// (nodes with more distinct neighbours than the cap; the ends themselves may be hubs). The search runs over states
/// (node, clinical hops, class hops, grouping hops) and keeps only the states that can still end as a graded
/// explanation (direct, class, shared indication, grouping), so for every concept it reaches it finds the best-graded
/// path and, within a grade, the best-sourced and then the shortest; among equal ones the first in hop order
/// (neighbour CUI, then relation name) wins, so results are deterministic. A path never repeats a node. Of the two
/// stored rows of a relation and its inverse, the hop that reads forwards along the path ("A may_treat B") is taken.
/// Not thread-safe: one instance per thread.
/// </summary>
internal sealed class KnowledgePathSearch
{
    private const int States = 27; // clinical, class, grouping counters in 0..2

    private readonly RelationGraph _graph;
    private readonly KnowledgeSearchSettings _settings;
    private readonly RelationRole?[] _labelRoles; // null: co_occurs (never walked)
    private readonly List<KnowledgeEntry> _entries = [];
    private readonly HashSet<long> _visited = [];

    public KnowledgePathSearch(RelationGraph graph, KnowledgeSearchSettings settings)
    {
        _graph = graph;
        _settings = settings;
        _labelRoles = [.. graph.Labels.Select(l => string.Equals(l, RelationGraph.CooccurLabel, StringComparison.Ordinal) ? (RelationRole?)null : ClinicalRelations.RoleOf(l))];
    }

    /// <summary>Searches from <paramref name="start"/> to every node of <paramref name="goals"/> (the start excluded).</summary>
    public KnowledgeSearchResult Search(int start, IReadOnlySet<int> goals) => Explain(Explore(start), goals);

    /// <summary>The explanations of <paramref name="reach"/> that end at a node of <paramref name="goals"/>, best first
    /// (grade, source rank, hops, node id).</summary>
    public KnowledgeSearchResult Explain(KnowledgeReach reach, IReadOnlySet<int> goals)
    {
        var found = new List<KnowledgeExplanation>();
        foreach (var goal in goals)
        {
            if (reach.Best.TryGetValue(goal, out var index) && index > 0)
            {
                var e = reach.Entries[index];
                found.Add(new KnowledgeExplanation(goal, PathTo(reach.Entries, index), GradeOf(e.State), e.Rank));
            }
        }

        found.Sort((a, b) =>
        {
            var c = a.Grade.CompareTo(b.Grade);
            if (c == 0) { c = a.SourceRank.CompareTo(b.SourceRank); }
            if (c == 0) { c = a.Path.Length.CompareTo(b.Path.Length); }
            return c != 0 ? c : a.History.CompareTo(b.History);
        });
        return new KnowledgeSearchResult(found, reach.Explored, reach.HubsCapped);
    }

    /// <summary>Explores everything <paramref name="start"/> reaches within the budgets.</summary>
    public KnowledgeReach Explore(int start)
    {
        _entries.Clear();
        _visited.Clear();
        var best = new Dictionary<int, int>();
        if (start < 0 || start >= _graph.NodeCount)
        {
            return new KnowledgeReach([], best, 0);
        }

        var hubs = 0;
        _entries.Add(new KnowledgeEntry(start, 0, -1, -1, 0, 0));
        _visited.Add(Key(start, 0));
        var layerStart = 0;
        for (var depth = 0; depth < _settings.MaxHops && layerStart < _entries.Count && _entries.Count <= _settings.MaxExploredStates; depth++)
        {
            var layerEnd = _entries.Count;
            for (var e = layerStart; e < layerEnd && _entries.Count <= _settings.MaxExploredStates; e++)
            {
                var entry = _entries[e];
                if (entry.Node != start && _graph.Degrees.Length > 0 && _graph.Degrees[entry.Node] > _settings.HubDegreeCap)
                {
                    hubs++;
                    continue;
                }

                Expand(e, entry, best);
            }

            layerStart = layerEnd;
        }

        return new KnowledgeReach([.. _entries], best, hubs);
    }

    private void Expand(int index, KnowledgeEntry entry, Dictionary<int, int> best)
    {
        var offsets = _graph.Offsets;
        var targets = _graph.Targets;
        var labelDirs = _graph.LabelDirs;
        var end = offsets[entry.Node + 1];
        for (var h = offsets[entry.Node]; h < end; h++)
        {
            var next = targets[h];
            var labelDir = labelDirs[h];
            var role = _labelRoles[RelationGraph.Label(labelDir)];
            if (role is null || next == entry.Node)
            {
                continue;
            }

            var state = Advance(entry.State, role.Value);
            if (state < 0 || _visited.Contains(Key(next, state)) || OnPath(index, next))
            {
                continue;
            }

            // prefer the row that reads along the path: a reverse hop (u is CUI2, the subject of RELA) over the
            // forward hop of the inverse row with the same role to the same neighbour
            if (!RelationGraph.IsReverse(labelDir) && HasReverseTwin(h, end, next, role.Value))
            {
                continue;
            }

            _visited.Add(Key(next, state));
            var rank = entry.Rank;
            if (role is RelationRole.Clinical or RelationRole.DrugClass)
            {
                var sources = _graph.SourceOf(h);
                rank = Math.Max(rank, sources.Contains('+', StringComparison.Ordinal) ? 0 : ClinicalRelations.SourceRank(sources));
            }

            var child = _entries.Count;
            var added = new KnowledgeEntry(next, state, index, h, entry.Depth + 1, rank);
            _entries.Add(added);
            if (!best.TryGetValue(next, out var current) || Better(added, _entries[current]))
            {
                best[next] = child;
            }
        }
    }

    private static bool Better(KnowledgeEntry a, KnowledgeEntry b)
    {
        var c = GradeOf(a.State).CompareTo(GradeOf(b.State));
        if (c != 0)
        {
            return c < 0;
        }

        return a.Rank != b.Rank ? a.Rank < b.Rank : a.Depth < b.Depth;
    }

    private bool HasReverseTwin(int hop, int end, int next, RelationRole role)
    {
        for (var j = hop + 1; j < end && _graph.Targets[j] == next; j++)
        {
            var ld = _graph.LabelDirs[j];
            if (RelationGraph.IsReverse(ld) && _labelRoles[RelationGraph.Label(ld)] == role)
            {
                return true;
            }
        }

        return false;
    }

    private bool OnPath(int index, int node)
    {
        for (var i = index; i >= 0; i = _entries[i].Parent)
        {
            if (_entries[i].Node == node)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The next state, or -1 when it can no longer end as a graded explanation: one clinical hop (direct),
    /// two (shared indication), two class hops (class), or grouping, hierarchy and mappings only.</summary>
    private static int Advance(int state, RelationRole role)
    {
        int clinical = state / 9, cls = state / 3 % 3, grouping = state % 3;
        switch (role)
        {
            case RelationRole.Clinical: clinical++; break;
            case RelationRole.DrugClass: cls++; break;
            case RelationRole.Grouping: grouping++; break;
        }

        var mixed = (clinical > 0 && (cls > 0 || grouping > 0)) || (cls > 0 && grouping > 0);
        return clinical > 2 || cls > 2 || grouping > 2 || mixed ? -1 : (clinical * 9) + (cls * 3) + grouping;
    }

    private static EvidenceGrade GradeOf(int state) => EvidenceGrades.Of(state / 9, state / 3 % 3, state % 3);

    private GraphPath PathTo(KnowledgeEntry[] entries, int index)
    {
        var depth = entries[index].Depth;
        var nodes = new int[depth + 1];
        var hops = new int[depth];
        var hopIndices = new int[depth];
        for (var i = index; i >= 0; i = entries[i].Parent)
        {
            var e = entries[i];
            nodes[e.Depth] = e.Node;
            if (e.Depth > 0)
            {
                hops[e.Depth - 1] = _graph.LabelDirs[e.Hop];
                hopIndices[e.Depth - 1] = e.Hop;
            }
        }

        return new GraphPath(nodes, hops) { HopIndices = hopIndices };
    }

    private static long Key(int node, int state) => ((long)node * States) + state;
}

/// <summary>Budgets of the knowledge-first search.</summary>
internal sealed record KnowledgeSearchSettings
{
    /// <summary>Hop limit of a path (default 4).</summary>
    public int MaxHops { get; init; } = EvidenceDefaults.KnowledgeMaxHops;

    /// <summary>Nodes with more distinct neighbours than this are not walked through (default 200).</summary>
    public int HubDegreeCap { get; init; } = EvidenceDefaults.HubDegreeCap;

    /// <summary>Search states a target may add before the search stops (bounds time on a dense release).</summary>
    public int MaxExploredStates { get; init; } = EvidenceDefaults.KnowledgeMaxStates;

    /// <summary>Explanations kept per target (the best-ranked ones).</summary>
    public int PathsPerTarget { get; init; } = EvidenceDefaults.PathsPerTarget;

    /// <summary>Search states kept in the per-target cache across samples (all targets together); 0 disables it.</summary>
    public long CacheStates { get; init; } = EvidenceDefaults.KnowledgeCacheStates;
}
