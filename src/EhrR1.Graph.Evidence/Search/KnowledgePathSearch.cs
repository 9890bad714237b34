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
    internal KnowledgeReach(KnowledgeEntry[] entries, Dictionary<int, int> best, int hubsCapped, Dictionary<long, int>? labResults = null)
    {
        Entries = entries;
        Best = best;
        HubsCapped = hubsCapped;
        LabResults = labResults ?? [];
    }

    internal KnowledgeEntry[] Entries { get; }

    internal Dictionary<int, int> Best { get; }

    /// <summary>Per (lab node, flag): the best entry that arrives at the lab by a lab → phenotype relation needing
    /// that flag (key <c>node · 4 + flag</c>). Such entries end a path and only explain through a history lab with
    /// the flag, so they are kept apart from <see cref="Best"/>.</summary>
    internal Dictionary<long, int> LabResults { get; }

    /// <summary>Hubs the search met and did not walk through.</summary>
    public int HubsCapped { get; }

    /// <summary>Search states added (the start excluded).</summary>
    public int Explored => Entries.Length - 1;
}

/// <summary>A search-tree entry: node, state (clinical·9 + class·3 + grouping), parent entry, hop index, depth, the
/// worst source rank so far, and the lab result flag (<see cref="LabFlag"/>) when the entry arrives at a lab by a lab
/// → phenotype relation (such an entry ends the path).</summary>
internal readonly record struct KnowledgeEntry(int Node, int State, int Parent, int Hop, int Depth, int Rank, int Flag = 0);

/// <summary>Lab result flags as small integers (0: none).</summary>
internal static class LabFlag
{
    public const int None = 0, High = 1, Low = 2, Abnormal = 3;

    public static int Of(string flag) => flag switch
    {
        Core.Concepts.LabResultFlags.High => High,
        Core.Concepts.LabResultFlags.Low => Low,
        Core.Concepts.LabResultFlags.Abnormal => Abnormal,
        _ => None,
    };

    /// <summary>Bit mask of a set of flag names (bit <c>1 &lt;&lt; flag</c>).</summary>
    public static int MaskOf(IEnumerable<string> flags) => flags.Aggregate(0, (m, f) => Of(f) is var v and > 0 ? m | (1 << v) : m);
}

/// <summary>
/// Knowledge-first search (the default): breadth-first from a target concept over knowledge relations only (never a
/// <c>co_occurs</c> hop), at most <see cref="KnowledgeSearchSettings.MaxHops"/> hops, not expanding through hubs
/// (nodes with more distinct neighbours than the cap; the ends themselves may be hubs). The search runs over states
/// (node, clinical hops, class hops, grouping hops) and keeps only the states that can still end as a graded
/// explanation (direct, class, shared indication, grouping), so for every concept it reaches it finds the best-graded
/// path and, within a grade, the best-sourced and then the shortest; among equal ones the first in hop order
/// (neighbour CUI, then relation name) wins, so results are deterministic. A path never repeats a node. Of the two
/// stored rows of a relation and its inverse, the hop that reads forwards along the path ("A may_treat B") is taken.
/// A lab → phenotype relation (LOINC2HPO: "potassium high_result_indicates hyperkalemia") is walked only from the
/// phenotype to the lab, as a path's last hop. After a clinical hop it counts like a mapping (the flagged lab in the
/// history stands for the phenotype, so "drug —may_treat→ hyperkalemia ← potassium (high)" is direct); without one it
/// is the path's clinical relation ("hyperkalemia ← potassium (high)"). Such a path explains only through
/// a history lab whose result has that flag (<see cref="Explain(KnowledgeReach, IReadOnlySet{int}, IReadOnlyDictionary{int, int}?)"/>).
/// Not thread-safe: one instance per thread.
/// </summary>
internal sealed class KnowledgePathSearch
{
    private const int States = 54; // clinical, class, grouping counters in 0..2, and the descended bit

    /// <summary>Class relations of broad classes (MeSH pharmacological action, physiologic effect, chemical
    /// structure): explanations through them rank after those through an established class or a mechanism.</summary>
    private static readonly HashSet<string> BroadClassRelations = new(StringComparer.Ordinal)
    {
        ClinicalRelations.HasPharmacologicAction, ClinicalRelations.PharmacologicActionOf,
        ClinicalRelations.HasPhysiologicEffect, ClinicalRelations.PhysiologicEffectOf,
        ClinicalRelations.HasChemicalStructure, ClinicalRelations.ChemicalStructureOf,
    };

    private readonly RelationGraph _graph;
    private readonly KnowledgeSearchSettings _settings;
    private readonly RelationRole?[] _labelRoles; // null: co_occurs (never walked)
    private readonly int[] _labelOrientation; // +1: the stored row walked forward goes up (child → parent, product → ingredient); -1 down; 0 neither
    private readonly bool[] _labelBroad;
    private readonly int[] _labelLabFlag; // LabFlag of a lab → phenotype relation, else 0
    private readonly bool[] _labelForwardArrivesAtLab;
    private readonly int[] _sourceSetRank; // per source set: 0 when two or more sources give it, else the source's rank
    private readonly List<KnowledgeEntry> _entries = [];
    private readonly HashSet<long> _visited = [];

    public KnowledgePathSearch(RelationGraph graph, KnowledgeSearchSettings settings)
    {
        _graph = graph;
        _settings = settings;
        _labelRoles = [.. graph.Labels.Select(l => string.Equals(l, RelationGraph.CooccurLabel, StringComparison.Ordinal) ? (RelationRole?)null : ClinicalRelations.RoleOf(l))];
        _labelOrientation = [.. graph.Labels.Select(Orientation)];
        _labelBroad = [.. graph.Labels.Select(BroadClassRelations.Contains)];
        _labelLabFlag = [.. graph.Labels.Select(l => ClinicalRelations.LabResultOf(l) is { } r ? LabFlag.Of(r.Flag) : LabFlag.None)];
        _labelForwardArrivesAtLab = [.. graph.Labels.Select(l => ClinicalRelations.LabResultOf(l) is { ForwardArrivesAtLab: true })];
        _sourceSetRank = [.. graph.SourceSets.Select(set => set.Contains('+', StringComparison.Ordinal) ? 0 : ClinicalRelations.SourceRank(set))];
    }

    /// <summary>
    /// Which way walking a stored row forward goes (rows read "CUI2 RELA CUI1"): <c>inverse_isa</c>, <c>PAR</c> and
    /// <c>ingredient_of</c> rows go from the specific concept to the general one (child to parent, product to
    /// ingredient); <c>isa</c>, <c>CHD</c> and <c>has_ingredient</c> rows the other way.
    /// </summary>
    private static int Orientation(string label) => label switch
    {
        ClinicalRelations.InverseIsa or "PAR" or ClinicalRelations.IngredientOf => 1,
        ClinicalRelations.Isa or "CHD" or ClinicalRelations.HasIngredient => -1,
        _ => 0,
    };

    /// <summary>The explanations of <paramref name="reach"/> that end at a node of <paramref name="goals"/>, best first
    /// (grade, source rank, hops, node id). <paramref name="labFlags"/> gives the history labs with abnormal results
    /// (node → <see cref="LabFlag.MaskOf"/>): a path that arrives at such a lab by a lab → phenotype relation
    /// explains through it when the relation needs one of the lab's flags.</summary>
    public KnowledgeSearchResult Explain(KnowledgeReach reach, IReadOnlySet<int> goals, IReadOnlyDictionary<int, int>? labFlags = null)
    {
        var chosen = new Dictionary<int, int>();
        foreach (var goal in goals)
        {
            if (reach.Best.TryGetValue(goal, out var index) && index > 0)
            {
                chosen[goal] = index;
            }
        }

        if (labFlags is not null && reach.LabResults.Count > 0)
        {
            foreach (var (node, mask) in labFlags)
            {
                if (!goals.Contains(node))
                {
                    continue;
                }

                for (var flag = LabFlag.High; flag <= LabFlag.Abnormal; flag++)
                {
                    if ((mask & (1 << flag)) != 0 && reach.LabResults.TryGetValue(((long)node * 4) + flag, out var index)
                        && (!chosen.TryGetValue(node, out var current) || Better(reach.Entries[index], reach.Entries[current])))
                    {
                        chosen[node] = index;
                    }
                }
            }
        }

        var found = new List<KnowledgeExplanation>(chosen.Count);
        foreach (var (goal, index) in chosen)
        {
            var e = reach.Entries[index];
            found.Add(new KnowledgeExplanation(goal, PathTo(reach.Entries, index), GradeOf(e.State), e.Rank));
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
        var labResults = new Dictionary<long, int>();
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
                if (entry.Flag != LabFlag.None)
                {
                    continue; // a lab reached by its result ends the path
                }

                if (entry.Node != start && _graph.Degrees.Length > 0 && _graph.Degrees[entry.Node] > _settings.HubDegreeCap)
                {
                    hubs++;
                    continue;
                }

                Expand(e, entry, best, labResults);
            }

            layerStart = layerEnd;
        }

        return new KnowledgeReach([.. _entries], best, hubs, labResults);
    }

    private void Expand(int index, KnowledgeEntry entry, Dictionary<int, int> best, Dictionary<long, int> labResults)
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

            var label = RelationGraph.Label(labelDir);
            var flag = _labelLabFlag[label];
            if (flag != LabFlag.None)
            {
                // phenotype → lab only, as the path's last hop; after a clinical hop it counts like a mapping (the
                // flagged lab stands for the phenotype), else it is the path's clinical relation
                if (_labelForwardArrivesAtLab[label] == RelationGraph.IsReverse(labelDir))
                {
                    continue;
                }

                var labState = entry.State % 27 >= 9 ? entry.State : Advance(entry.State, RelationRole.Clinical, 0);
                if (labState >= 0)
                {
                    AddLabResult(index, entry, h, next, flag, labState, labResults);
                }

                continue;
            }

            var state = Advance(entry.State, role.Value, Direction(labelDir));
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
                rank = Math.Max(rank, HopRank(h));
                if (_labelBroad[RelationGraph.Label(labelDir)])
                {
                    rank = Math.Max(rank, 2);
                }
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

    private void AddLabResult(int index, KnowledgeEntry entry, int hop, int lab, int flag, int state, Dictionary<long, int> labResults)
    {
        var key = ((long)lab * 4) + flag;
        var rank = Math.Max(entry.Rank, HopRank(hop));
        var added = new KnowledgeEntry(lab, state, index, hop, entry.Depth + 1, rank, flag);
        if (OnPath(index, lab) || (labResults.TryGetValue(key, out var current) && !Better(added, _entries[current])))
        {
            return;
        }

        labResults[key] = _entries.Count;
        _entries.Add(added);
    }

    /// <summary>The source rank of hop <paramref name="hop"/> (its source set's; unknown when the graph has no sources).</summary>
    private int HopRank(int hop) => hop < _graph.HopSources.Length ? _sourceSetRank[_graph.HopSources[hop]] : ClinicalRelations.SourceRank(string.Empty);

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

    /// <summary>+1 when hop (label, direction) goes up (to the more general concept), -1 down, 0 neither.</summary>
    private int Direction(int labelDir)
    {
        var o = _labelOrientation[RelationGraph.Label(labelDir)];
        return RelationGraph.IsReverse(labelDir) ? -o : o;
    }

    /// <summary>
    /// The next state, or -1 when the path can no longer end as a graded explanation: one clinical hop (direct), two
    /// (shared indication), two class hops (class), or grouping, hierarchy and mappings only. Hierarchy and ingredient
    /// hops may rise (to parents, to ingredients) and then descend, never rise again after descending (no detour
    /// through a sibling: "glucose → a glucose/citrate solution → citrate"), and a clinical or class hop may not follow
    /// a descent (a treatment of a subtype does not explain its parent).
    /// </summary>
    private static int Advance(int state, RelationRole role, int direction)
    {
        var descended = state >= 27;
        var counters = state % 27;
        int clinical = counters / 9, cls = counters / 3 % 3, grouping = counters % 3;
        switch (role)
        {
            case RelationRole.Clinical: clinical++; break;
            case RelationRole.DrugClass: cls++; break;
            case RelationRole.Grouping: grouping++; break;
        }

        if (descended && (direction > 0 || role is RelationRole.Clinical or RelationRole.DrugClass))
        {
            return -1;
        }

        descended |= direction < 0;
        var mixed = (clinical > 0 && (cls > 0 || grouping > 0)) || (cls > 0 && grouping > 0);
        return clinical > 2 || cls > 2 || grouping > 2 || mixed ? -1 : (descended ? 27 : 0) + (clinical * 9) + (cls * 3) + grouping;
    }

    private static EvidenceGrade GradeOf(int state)
    {
        var counters = state % 27;
        return EvidenceGrades.Of(counters / 9, counters / 3 % 3, counters % 3);
    }

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
