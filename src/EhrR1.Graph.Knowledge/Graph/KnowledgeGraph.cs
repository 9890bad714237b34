using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// The embedded knowledge graph: immutable, in memory, with interned strings and CSR adjacency (outgoing edges by
/// source concept, incoming edges through a reverse index built on first use). Thread-safe for readers. Implements
/// <see cref="IConceptGraph"/> (the same answers as the Neo4j store) and offers index-based accessors for hot loops
/// such as path search. Persisted by <see cref="KnowledgeGraphFile"/>.
/// </summary>
public sealed class KnowledgeGraph : IConceptGraph
{
    private readonly string[] _strings;
    private readonly ConceptColumns _concepts;
    private readonly int[] _termText;
    private readonly int[] _termConcept;
    private readonly int[] _coOffsets;
    private readonly CoEdgeColumns _co;
    private readonly int[] _umlsOffsets;
    private readonly UmlsEdgeColumns _umls;
    private readonly Dictionary<string, int> _byCui;
    private readonly Lazy<Dictionary<string, int[]>> _byName;
    private readonly Lazy<int> _termLinks;
    private readonly Lazy<(int[] Offsets, int[] Edges)> _coIn;
    private readonly Lazy<(int[] Offsets, int[] Edges)> _umlsIn;

    internal KnowledgeGraph(string[] strings, ConceptColumns concepts, int[] termText, int[] termConcept, int[] coOffsets, CoEdgeColumns co, int[] umlsOffsets, UmlsEdgeColumns umls)
    {
        _strings = strings;
        _concepts = concepts;
        _termText = termText;
        _termConcept = termConcept;
        _coOffsets = coOffsets;
        _co = co;
        _umlsOffsets = umlsOffsets;
        _umls = umls;
        _byCui = new Dictionary<string, int>(concepts.Cui.Length, StringComparer.Ordinal);
        for (var i = 0; i < concepts.Cui.Length; i++)
        {
            _byCui[strings[concepts.Cui[i]]] = i;
        }

        _byName = new Lazy<Dictionary<string, int[]>>(BuildNameIndex);
        _termLinks = new Lazy<int>(() => TermLinks().Count());
        _coIn = new Lazy<(int[], int[])>(() => Reverse(_coOffsets, _co.Dst));
        _umlsIn = new Lazy<(int[], int[])>(() => Reverse(_umlsOffsets, _umls.Dst));
    }

    /// <summary>Number of concepts.</summary>
    public int ConceptCount => _concepts.Cui.Length;

    /// <summary>Number of terms.</summary>
    public int TermCount => _termText.Length;

    /// <summary>Number of distinct (term key, concept) links: what the Neo4j store holds as <c>DENOTES</c>
    /// relationships, since its <c>Term</c> nodes are keyed case-insensitively and one name may denote several
    /// concepts. <see cref="GetCountsAsync"/> reports this as "terms" in both stores.</summary>
    public int TermLinkCount => _termLinks.Value;

    /// <summary>Number of CO_OCCURS edges.</summary>
    public int CooccurrenceCount => _co.Length;

    /// <summary>Number of UMLS_REL edges.</summary>
    public int UmlsRelationCount => _umls.Length;

    internal string[] Strings => _strings;

    internal ConceptColumns ConceptData => _concepts;

    internal int[] TermTextIds => _termText;

    internal int[] TermConcepts => _termConcept;

    internal int[] CoOffsets => _coOffsets;

    internal CoEdgeColumns CoEdges => _co;

    internal int[] UmlsOffsets => _umlsOffsets;

    internal UmlsEdgeColumns UmlsEdges => _umls;

    /// <summary>The dense index of a concept, or -1.</summary>
    public int IndexOf(string cui) => _byCui.TryGetValue(cui, out var i) ? i : -1;

    /// <summary>The identifier of concept <paramref name="index"/>.</summary>
    public string CuiAt(int index) => _strings[_concepts.Cui[index]];

    /// <summary>The concept at <paramref name="index"/>.</summary>
    public GraphConcept ConceptAt(int index)
    {
        var tuis = new string[_concepts.TuiOffsets[index + 1] - _concepts.TuiOffsets[index]];
        for (var k = 0; k < tuis.Length; k++)
        {
            tuis[k] = _strings[_concepts.Tuis[_concepts.TuiOffsets[index] + k]];
        }

        var g = _concepts.Group[index];
        return new GraphConcept(_strings[_concepts.Cui[index]], _strings[_concepts.Name[index]], tuis, g < 0 ? null : _strings[g]);
    }

    /// <summary>Range [start, end) of the outgoing UMLS_REL edges of concept <paramref name="index"/>.</summary>
    public (int Start, int End) UmlsEdgeRange(int index) => (_umlsOffsets[index], _umlsOffsets[index + 1]);

    /// <summary>The incoming UMLS_REL edge ids of concept <paramref name="index"/>.</summary>
    public ReadOnlySpan<int> IncomingUmlsEdges(int index)
    {
        var (offsets, edges) = _umlsIn.Value;
        return edges.AsSpan(offsets[index], offsets[index + 1] - offsets[index]);
    }

    /// <summary>The UMLS_REL edge <paramref name="edge"/> as (source index, target index, REL, RELA, SAB).</summary>
    public (int Source, int Target, string Rel, string Rela, string Sab) UmlsEdge(int edge) =>
        (SourceOf(_umlsOffsets, edge), _umls.Dst[edge], _strings[_umls.Rel[edge]], _strings[_umls.Rela[edge]], _strings[_umls.Sab[edge]]);

    /// <summary>All concepts in identifier order.</summary>
    public IEnumerable<GraphConcept> Concepts()
    {
        for (var i = 0; i < ConceptCount; i++)
        {
            yield return ConceptAt(i);
        }
    }

    /// <summary>All terms in text order.</summary>
    public IEnumerable<GraphTerm> Terms()
    {
        for (var i = 0; i < _termText.Length; i++)
        {
            yield return new GraphTerm(_strings[_termText[i]], CuiAt(_termConcept[i]));
        }
    }

    /// <summary>
    /// The distinct (term key, concept) links in text order, each with the first text of its key: what a Term node
    /// (keyed case-insensitively) and its DENOTES relationships hold. Both Neo4j load paths (HTTP and the
    /// <c>neo4j-admin import</c> CSV) write these, so a key's text is the same whichever path loaded it, and their
    /// number is <see cref="TermLinkCount"/>.
    /// </summary>
    public IEnumerable<GraphTerm> TermLinks()
    {
        var firstText = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<(string Key, int Concept)>();
        for (var i = 0; i < _termText.Length; i++)
        {
            var text = _strings[_termText[i]];
            var key = Key(text);
            if (!firstText.TryGetValue(key, out var first))
            {
                first = text;
                firstText[key] = text;
            }

            if (seen.Add((key, _termConcept[i])))
            {
                yield return new GraphTerm(first, CuiAt(_termConcept[i]));
            }
        }
    }

    /// <summary>All CO_OCCURS edges in CSR order.</summary>
    public IEnumerable<CooccurrenceEdge> Cooccurrences()
    {
        for (var src = 0; src < ConceptCount; src++)
        {
            for (var e = _coOffsets[src]; e < _coOffsets[src + 1]; e++)
            {
                yield return CoEdge(src, e);
            }
        }
    }

    /// <summary>All UMLS_REL edges in CSR order.</summary>
    public IEnumerable<UmlsRelation> UmlsRelations()
    {
        for (var src = 0; src < ConceptCount; src++)
        {
            for (var e = _umlsOffsets[src]; e < _umlsOffsets[src + 1]; e++)
            {
                yield return UmlsRel(src, e);
            }
        }
    }

    /// <inheritdoc />
    public ValueTask<GraphConcept?> GetConceptAsync(string cui, CancellationToken cancellationToken = default)
    {
        var i = IndexOf(cui);
        return ValueTask.FromResult(i < 0 ? null : ConceptAt(i));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<GraphConcept>> FindConceptsByNameAsync(string name, CancellationToken cancellationToken = default)
    {
        IReadOnlyList<GraphConcept> found = _byName.Value.TryGetValue(Key(name), out var ids) ? ids.Select(ConceptAt).ToList() : [];
        return ValueTask.FromResult(found);
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<GraphNeighbour>> GetNeighboursAsync(string cui, GraphEdgeKinds kinds = GraphEdgeKinds.All, EdgeDirection direction = EdgeDirection.Both, CancellationToken cancellationToken = default)
    {
        var i = IndexOf(cui);
        if (i < 0)
        {
            return ValueTask.FromResult<IReadOnlyList<GraphNeighbour>>([]);
        }

        var list = new List<GraphNeighbour>();
        if (kinds.HasFlag(GraphEdgeKinds.UmlsRelation))
        {
            if ((direction & EdgeDirection.Outgoing) != 0)
            {
                for (var e = _umlsOffsets[i]; e < _umlsOffsets[i + 1]; e++)
                {
                    list.Add(UmlsNeighbour(_umls.Dst[e], e, EdgeDirection.Outgoing));
                }
            }

            if ((direction & EdgeDirection.Incoming) != 0)
            {
                foreach (var e in IncomingUmlsEdges(i))
                {
                    list.Add(UmlsNeighbour(SourceOf(_umlsOffsets, e), e, EdgeDirection.Incoming));
                }
            }
        }

        if (kinds.HasFlag(GraphEdgeKinds.CoOccurrence))
        {
            var best = new Dictionary<(int Node, int Task, EdgeDirection Dir), double>();
            void Add(int node, int e, EdgeDirection dir)
            {
                var key = (node, _co.Task[e], dir);
                best[key] = best.TryGetValue(key, out var l) ? Math.Max(l, _co.Lift[e]) : _co.Lift[e];
            }

            if ((direction & EdgeDirection.Outgoing) != 0)
            {
                for (var e = _coOffsets[i]; e < _coOffsets[i + 1]; e++)
                {
                    Add(_co.Dst[e], e, EdgeDirection.Outgoing);
                }
            }

            if ((direction & EdgeDirection.Incoming) != 0)
            {
                var (offsets, edges) = _coIn.Value;
                for (var k = offsets[i]; k < offsets[i + 1]; k++)
                {
                    Add(SourceOf(_coOffsets, edges[k]), edges[k], EdgeDirection.Incoming);
                }
            }

            list.AddRange(best.Select(kv => new GraphNeighbour(ConceptAt(kv.Key.Node), GraphEdgeKinds.CoOccurrence, kv.Key.Dir, _strings[kv.Key.Task], null, null, kv.Value)));
        }

        return ValueTask.FromResult(GraphOrdering.Neighbours(list));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<CooccurrenceEdge>> GetTopCooccurrencesAsync(string cui, string task, int limit, CancellationToken cancellationToken = default)
    {
        var i = IndexOf(cui);
        if (i < 0 || limit <= 0)
        {
            return ValueTask.FromResult<IReadOnlyList<CooccurrenceEdge>>([]);
        }

        var edges = new List<CooccurrenceEdge>();
        for (var e = _coOffsets[i]; e < _coOffsets[i + 1]; e++)
        {
            if (string.Equals(_strings[_co.Task[e]], task, StringComparison.Ordinal))
            {
                edges.Add(CoEdge(i, e));
            }
        }

        return ValueTask.FromResult<IReadOnlyList<CooccurrenceEdge>>(GraphOrdering.Cooccurrences(edges).Take(limit).ToList());
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyList<UmlsRelation>> GetUmlsRelationsAsync(string cui, CancellationToken cancellationToken = default)
    {
        var i = IndexOf(cui);
        if (i < 0)
        {
            return ValueTask.FromResult<IReadOnlyList<UmlsRelation>>([]);
        }

        var rels = new List<UmlsRelation>();
        for (var e = _umlsOffsets[i]; e < _umlsOffsets[i + 1]; e++)
        {
            rels.Add(UmlsRel(i, e));
        }

        foreach (var e in IncomingUmlsEdges(i))
        {
            rels.Add(UmlsRel(SourceOf(_umlsOffsets, e), e));
        }

        return ValueTask.FromResult(GraphOrdering.Relations(rels.Distinct()));
    }

    /// <inheritdoc />
    public ValueTask<IReadOnlyDictionary<string, long>> GetCountsAsync(CancellationToken cancellationToken = default) =>
        ValueTask.FromResult<IReadOnlyDictionary<string, long>>(new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["concepts"] = ConceptCount,
            ["terms"] = TermLinkCount,
            ["co_occurs"] = CooccurrenceCount,
            ["umls_rel"] = UmlsRelationCount,
        });

    internal static string Key(string text) => text.Trim().ToLowerInvariant();

    private static int SourceOf(int[] offsets, int edge)
    {
        // the last source whose offset is <= edge (offsets are non-decreasing)
        var lo = 0;
        var hi = offsets.Length - 2;
        while (lo < hi)
        {
            var mid = (lo + hi + 1) >> 1;
            if (offsets[mid] <= edge)
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

    private static (int[] Offsets, int[] Edges) Reverse(int[] offsets, int[] dst)
    {
        var n = offsets.Length - 1;
        var inOffsets = new int[n + 1];
        foreach (var d in dst)
        {
            inOffsets[d + 1]++;
        }

        for (var i = 0; i < n; i++)
        {
            inOffsets[i + 1] += inOffsets[i];
        }

        var fill = (int[])inOffsets.Clone();
        var edges = new int[dst.Length];
        for (var e = 0; e < dst.Length; e++)
        {
            edges[fill[dst[e]]++] = e;
        }

        return (inOffsets, edges);
    }

    private Dictionary<string, int[]> BuildNameIndex()
    {
        var map = new Dictionary<string, SortedSet<int>>(StringComparer.Ordinal);
        void Add(string text, int concept)
        {
            var k = Key(text);
            if (!map.TryGetValue(k, out var set))
            {
                map[k] = set = [];
            }

            set.Add(concept);
        }

        for (var i = 0; i < ConceptCount; i++)
        {
            Add(_strings[_concepts.Name[i]], i);
        }

        for (var t = 0; t < _termText.Length; t++)
        {
            Add(_strings[_termText[t]], _termConcept[t]);
        }

        return map.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray(), StringComparer.Ordinal);
    }

    private GraphNeighbour UmlsNeighbour(int node, int e, EdgeDirection dir)
    {
        var rel = _strings[_umls.Rel[e]];
        var rela = _strings[_umls.Rela[e]];
        return new GraphNeighbour(ConceptAt(node), GraphEdgeKinds.UmlsRelation, dir, rela.Length > 0 ? rela : rel, rel, _strings[_umls.Sab[e]], null);
    }

    private CooccurrenceEdge CoEdge(int src, int e) =>
        new(CuiAt(src), CuiAt(_co.Dst[e]), new CooccurrenceStat(
            _strings[_co.Task[e]], _strings[_co.TargetTerm[e]], _strings[_co.HistoryTerm[e]],
            _co.Count[e], _co.TargetDf[e], _co.HistoryDf[e], _co.TaskSamples[e], _co.Lift[e]));

    private UmlsRelation UmlsRel(int src, int e) =>
        new(CuiAt(src), CuiAt(_umls.Dst[e]), _strings[_umls.Rel[e]], _strings[_umls.Rela[e]], _strings[_umls.Sab[e]]);
}
