namespace EhrR1.Graph.Evidence.Graph;

/// <summary>
/// A compact, read-only adjacency (CSR) over integer node ids. Every stored relation row <c>cui1 → cui2</c>
/// appears twice: in the list of <c>cui1</c> as a forward hop and in the list of <c>cui2</c> as a reverse hop,
/// so a search can walk a relation either way and still report the direction it was stored in.
/// Thread-safe for reads; built once by <see cref="RelationGraphBuilder"/>.
/// </summary>
internal sealed class RelationGraph
{
    /// <summary>Label of the co-occurrence edges target → history (<c>--graph-kind cooccurrence|both</c>).</summary>
    public const string CooccurLabel = "co_occurs";

    private readonly Dictionary<string, int> _nodeByCui;

    internal RelationGraph(string[] cuis, string[] names, string[] labels, int[] offsets, int[] targets, int[] labelDirs, Dictionary<string, int> nodeByCui, long relationRows)
    {
        Cuis = cuis;
        Names = names;
        Labels = labels;
        Offsets = offsets;
        Targets = targets;
        LabelDirs = labelDirs;
        _nodeByCui = nodeByCui;
        RelationRows = relationRows;
    }

    /// <summary>CUI of each node id.</summary>
    public string[] Cuis { get; }

    /// <summary>Preferred name of each node id (the CUI when no name is known).</summary>
    public string[] Names { get; }

    /// <summary>Relation label strings, indexed by label id.</summary>
    public string[] Labels { get; }

    /// <summary>CSR offsets: the hops of node n are [Offsets[n], Offsets[n+1]).</summary>
    public int[] Offsets { get; }

    /// <summary>Neighbour node id of each hop.</summary>
    public int[] Targets { get; }

    /// <summary>Label id &lt;&lt; 1 | 1 when the hop walks the stored relation backwards (reverse).</summary>
    public int[] LabelDirs { get; }

    /// <summary>Source set id of each hop (index into <see cref="SourceSets"/>); all 0 (no source) when the graph was
    /// built without sources.</summary>
    public int[] HopSources { get; init; } = [];

    /// <summary>Source sets: the SABs that give a hop, joined by <c>+</c> in ordinal order; entry 0 is empty.</summary>
    public string[] SourceSets { get; init; } = [string.Empty];

    /// <summary>Display kind of each node (<see cref="Core.Concepts.ConceptKinds"/>: Drug, Disorder, ...), null when unknown.</summary>
    public string?[] Kinds { get; init; } = [];

    /// <summary>The kind of node <paramref name="node"/>, or null.</summary>
    public string? KindOf(int node) => node >= 0 && node < Kinds.Length ? Kinds[node] : null;

    /// <summary>Distinct neighbours of each node (over every relation kind), for the hub cap.</summary>
    public int[] Degrees { get; init; } = [];

    /// <summary>The SABs of hop <paramref name="hop"/>, joined by <c>+</c> (empty when unknown).</summary>
    public string SourceOf(int hop) => hop >= 0 && HopSources.Length > hop ? SourceSets[HopSources[hop]] : string.Empty;

    /// <summary>The hop index from <paramref name="from"/> to <paramref name="to"/> with <paramref name="labelDir"/>, or -1.</summary>
    public int FindHop(int from, int to, int labelDir)
    {
        for (var h = Offsets[from]; h < Offsets[from + 1]; h++)
        {
            if (Targets[h] == to && LabelDirs[h] == labelDir)
            {
                return h;
            }
        }

        return -1;
    }

    /// <summary>Distinct stored relations (label, cui1, cui2) after exclusions and de-duplication.</summary>
    public long RelationRows { get; }

    public int NodeCount => Cuis.Length;

    public int HopCount => Targets.Length;

    public int NodeOf(string cui) => _nodeByCui.TryGetValue(cui, out var id) ? id : -1;

    /// <summary>The id of a relation label, or -1 when no hop carries it.</summary>
    public int LabelId(string label) => Array.BinarySearch(Labels, label, StringComparer.Ordinal) is var i and >= 0 ? i : -1;

    public static int Label(int labelDir) => labelDir >> 1;

    public static bool IsReverse(int labelDir) => (labelDir & 1) != 0;

    /// <summary>Approximate managed bytes held by the adjacency arrays (not the strings).</summary>
    public long AdjacencyBytes => (Offsets.LongLength + Targets.LongLength + LabelDirs.LongLength) * sizeof(int);
}
