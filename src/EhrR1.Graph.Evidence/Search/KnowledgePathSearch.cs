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
/// Knowledge-first search (the default): breadth-first from a target concept over knowledge relations only (never a
/// <c>co_occurs</c> hop), at most <see cref="KnowledgeSearchSettings.MaxHops"/> hops, not expanding through hubs
/// (nodes with more distinct neighbours than the cap; the ends themselves may be hubs). The search runs over states
/// (node, clinical hops, class hops, grouping hops), each counter capped at 2, so for every history concept it reaches
/// it finds the best-graded path and, within a grade, the shortest; among equally short paths the first in hop order
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
    private readonly List<Entry> _entries = [];
    private readonly Dictionary<long, int> _visited = [];
    private readonly Dictionary<int, int> _bestByNode = [];

    public KnowledgePathSearch(RelationGraph graph, KnowledgeSearchSettings settings)
    {
        _graph = graph;
        _settings = settings;
        _labelRoles = [.. graph.Labels.Select(l => string.Equals(l, RelationGraph.CooccurLabel, StringComparison.Ordinal) ? (RelationRole?)null : ClinicalRelations.RoleOf(l))];
    }

    /// <summary>Searches from <paramref name="start"/> to every node of <paramref name="goals"/> (the start excluded).</summary>
    public KnowledgeSearchResult Search(int start, IReadOnlySet<int> goals)
    {
        _entries.Clear();
        _visited.Clear();
        _bestByNode.Clear();
        _goals = goals;
        if (start < 0 || start >= _graph.NodeCount || goals.Count == 0)
        {
            return new KnowledgeSearchResult([], 0, 0);
        }

        var hubs = 0;
        _entries.Add(new Entry(start, 0, -1, -1, 0));
        _visited[Key(start, 0)] = 0;
        var layerStart = 0;
        for (var depth = 0; depth < _settings.MaxHops && layerStart < _entries.Count; depth++)
        {
            var layerEnd = _entries.Count;
            for (var e = layerStart; e < layerEnd; e++)
            {
                var entry = _entries[e];
                if (entry.Node != start && goals.Contains(entry.Node))
                {
                    continue; // an explanation ends at the first history concept it reaches
                }

                if (entry.Node != start && _graph.Degrees.Length > 0 && _graph.Degrees[entry.Node] > _settings.HubDegreeCap)
                {
                    hubs++;
                    continue;
                }

                Expand(e, entry);
                if (_entries.Count > _settings.MaxExploredStates)
                {
                    break;
                }
            }

            layerStart = layerEnd;
            if (_entries.Count > _settings.MaxExploredStates)
            {
                break;
            }
        }

        // per history node, the best entry: grade, then source rank, then fewer hops, then discovery order
        var found = new List<KnowledgeExplanation>();
        foreach (var (node, index) in _bestByNode.OrderBy(p => p.Key))
        {
            var path = PathTo(index);
            found.Add(new KnowledgeExplanation(node, path, GradeOf(_entries[index].State), SourceRankOf(path)));
        }

        found.Sort((a, b) =>
        {
            var c = a.Grade.CompareTo(b.Grade);
            if (c == 0) { c = a.SourceRank.CompareTo(b.SourceRank); }
            if (c == 0) { c = a.Path.Length.CompareTo(b.Path.Length); }
            return c != 0 ? c : a.History.CompareTo(b.History);
        });
        return new KnowledgeSearchResult(found, _entries.Count - 1, hubs);
    }

    private void Expand(int index, Entry entry)
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
            if (role is null || next == entry.Node || OnPath(index, next))
            {
                continue;
            }

            // prefer the row that reads along the path: a reverse hop (u is CUI2, the subject of RELA) over the
            // forward hop of the inverse row with the same role to the same neighbour
            if (!RelationGraph.IsReverse(labelDir) && HasReverseTwin(h, end, next, role.Value))
            {
                continue;
            }

            var state = Advance(entry.State, role.Value);
            if (state < 0)
            {
                continue;
            }

            var key = Key(next, state);
            if (_visited.ContainsKey(key))
            {
                continue;
            }

            var child = _entries.Count;
            _visited[key] = child;
            _entries.Add(new Entry(next, state, index, h, entry.Depth + 1));
            if (_bestByNode.TryGetValue(next, out var best))
            {
                if (Better(child, best))
                {
                    _bestByNode[next] = child;
                }
            }
            else if (IsGoal(next))
            {
                _bestByNode[next] = child;
            }
        }
    }

    private IReadOnlySet<int> _goals = new HashSet<int>();

    private bool IsGoal(int node) => _goals.Contains(node);

    private bool Better(int candidate, int current)
    {
        var a = _entries[candidate];
        var b = _entries[current];
        var c = GradeOf(a.State).CompareTo(GradeOf(b.State));
        if (c != 0)
        {
            return c < 0;
        }

        var ra = SourceRankOf(PathTo(candidate));
        var rb = SourceRankOf(PathTo(current));
        return ra != rb ? ra < rb : a.Depth < b.Depth;
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

    private static int Advance(int state, RelationRole role)
    {
        int clinical = state / 9, cls = state / 3 % 3, grouping = state % 3;
        switch (role)
        {
            case RelationRole.Clinical: clinical++; break;
            case RelationRole.DrugClass: cls++; break;
            case RelationRole.Grouping: grouping++; break;
        }

        return clinical > 2 || cls > 2 || grouping > 2 ? -1 : (clinical * 9) + (cls * 3) + grouping;
    }

    private static EvidenceGrade GradeOf(int state) => EvidenceGrades.Of(state / 9, state / 3 % 3, state % 3);

    /// <summary>Worst source rank over the path's clinical and class hops (0 when it has none); a hop with two or
    /// more sources counts as 0.</summary>
    internal int SourceRankOf(GraphPath path)
    {
        var worst = 0;
        for (var i = 0; i < path.HopIndices.Length; i++)
        {
            var role = _labelRoles[RelationGraph.Label(path.Hops[i])];
            if (role is not (RelationRole.Clinical or RelationRole.DrugClass))
            {
                continue;
            }

            var sources = _graph.SourceOf(path.HopIndices[i]);
            var rank = sources.Contains('+', StringComparison.Ordinal) ? 0 : ClinicalRelations.SourceRank(sources);
            worst = Math.Max(worst, rank);
        }

        return worst;
    }

    private GraphPath PathTo(int index)
    {
        var depth = _entries[index].Depth;
        var nodes = new int[depth + 1];
        var hops = new int[depth];
        var hopIndices = new int[depth];
        for (var i = index; i >= 0; i = _entries[i].Parent)
        {
            var e = _entries[i];
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

    private readonly record struct Entry(int Node, int State, int Parent, int Hop, int Depth);
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
}
