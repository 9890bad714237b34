using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// Collects concepts, terms, co-occurrence edges and UMLS relations and builds an immutable
/// <see cref="KnowledgeGraph"/>. Duplicates are merged: the first name and group of a concept win and semantic types
/// are united; a term maps to one concept (the first); a CO_OCCURS edge is keyed by (task, target term, history term),
/// a UMLS_REL edge by (CUI1, CUI2, REL, RELA, SAB). An edge whose concept is unknown adds a bare concept (name = CUI).
/// <para>
/// UMLS relations are held compactly, so that a full MRREL (tens of millions of rows) can stream through: each CUI is
/// kept once (as a concept id) and each distinct (REL, RELA, SAB) once, and a row costs 12 bytes (source id, target
/// id, kind id) until <see cref="Build"/>, which sorts and de-duplicates them per source in an 8-byte key per row
/// and writes the graph's own 16 bytes per relation.
/// </para>
/// </summary>
public sealed class KnowledgeGraphBuilder
{
    private readonly Dictionary<string, int> _concepts = new(StringComparer.Ordinal);
    private readonly List<string> _cuis = [];
    private readonly List<string> _names = [];
    private readonly List<SortedSet<string>?> _tuis = [];
    private readonly List<string?> _groups = [];
    private readonly Dictionary<string, string> _terms = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Task, string Target, string History), CooccurrenceEdge> _co = [];
    private readonly Dictionary<(string Rel, string Rela, string Sab), int> _kinds = [];
    private readonly List<(string Rel, string Rela, string Sab)> _kindList = [];
    private int[] _relSource = new int[1024];
    private int[] _relTarget = new int[1024];
    private int[] _relKind = new int[1024];
    private int _relCount;

    /// <summary>Concepts so far.</summary>
    public int ConceptCount => _concepts.Count;

    /// <summary>The CUIs added so far (directly or as an edge's end), in the order they were first seen.</summary>
    public IReadOnlyList<string> ConceptCuis => _cuis;

    /// <summary>True when <paramref name="cui"/> was added.</summary>
    public bool HasConcept(string cui) => _concepts.ContainsKey(cui);

    /// <summary>Adds or merges a concept.</summary>
    public KnowledgeGraphBuilder AddConcept(GraphConcept concept)
    {
        ArgumentNullException.ThrowIfNull(concept);
        if (_concepts.TryGetValue(concept.Cui, out var id))
        {
            if (concept.Tuis.Count > 0)
            {
                (_tuis[id] ??= new SortedSet<string>(StringComparer.Ordinal)).UnionWith(concept.Tuis);
            }

            _groups[id] ??= concept.Group;
        }
        else
        {
            Intern(concept.Cui, concept.Name, concept.Tuis.Count > 0 ? new SortedSet<string>(concept.Tuis, StringComparer.Ordinal) : null, concept.Group);
        }

        return this;
    }

    /// <summary>Sets a concept's name, semantic types and group, replacing what it had (adds it when new).</summary>
    public KnowledgeGraphBuilder SetConcept(GraphConcept concept)
    {
        ArgumentNullException.ThrowIfNull(concept);
        var id = EnsureConcept(concept.Cui);
        _names[id] = concept.Name;
        _tuis[id] = concept.Tuis.Count > 0 ? new SortedSet<string>(concept.Tuis, StringComparer.Ordinal) : null;
        _groups[id] = concept.Group;
        return this;
    }

    /// <summary>Adds a term naming a concept (the first concept given for a term wins).</summary>
    public KnowledgeGraphBuilder AddTerm(GraphTerm term)
    {
        ArgumentNullException.ThrowIfNull(term);
        EnsureConcept(term.Cui);
        _terms.TryAdd(term.Text, term.Cui);
        return this;
    }

    /// <summary>Adds a CO_OCCURS edge (the last one for a key wins).</summary>
    public KnowledgeGraphBuilder AddCooccurrence(CooccurrenceEdge edge)
    {
        ArgumentNullException.ThrowIfNull(edge);
        EnsureConcept(edge.TargetCui);
        EnsureConcept(edge.HistoryCui);
        _co[(edge.Stat.Task, edge.Stat.Target, edge.Stat.History)] = edge;
        return this;
    }

    /// <summary>Adds a UMLS_REL edge.</summary>
    public KnowledgeGraphBuilder AddUmlsRelation(UmlsRelation relation)
    {
        ArgumentNullException.ThrowIfNull(relation);
        return AddUmlsRelation(relation.Cui1, relation.Cui2, relation.Rel, relation.Rela, relation.Sab);
    }

    /// <summary>Adds a UMLS_REL edge <paramref name="cui1"/> → <paramref name="cui2"/> (12 bytes until built).</summary>
    public KnowledgeGraphBuilder AddUmlsRelation(string cui1, string cui2, string rel, string rela, string sab)
    {
        var source = EnsureConcept(cui1);
        var target = EnsureConcept(cui2);
        if (!_kinds.TryGetValue((rel, rela, sab), out var kind))
        {
            kind = _kindList.Count;
            _kinds.Add((rel, rela, sab), kind);
            _kindList.Add((rel, rela, sab));
        }

        if (_relCount == _relSource.Length)
        {
            var size = (int)Math.Min(Array.MaxLength, (long)_relCount * 2);
            Array.Resize(ref _relSource, size);
            Array.Resize(ref _relTarget, size);
            Array.Resize(ref _relKind, size);
        }

        _relSource[_relCount] = source;
        _relTarget[_relCount] = target;
        _relKind[_relCount] = kind;
        _relCount++;
        return this;
    }

    /// <summary>Builds the immutable graph (deterministic: everything is sorted ordinally).</summary>
    public KnowledgeGraph Build()
    {
        var pool = new StringPool();
        var n = _cuis.Count;
        var order = Enumerable.Range(0, n).OrderBy(i => _cuis[i], StringComparer.Ordinal).ToArray();
        var rank = new int[n];
        var cuiIds = new int[n];
        var nameIds = new int[n];
        var groupIds = new int[n];
        var tuiOffsets = new int[n + 1];
        var tuiIds = new List<int>();
        for (var i = 0; i < n; i++)
        {
            var id = order[i];
            rank[id] = i;
            cuiIds[i] = pool.Intern(_cuis[id]);
            nameIds[i] = pool.Intern(_names[id]);
            groupIds[i] = _groups[id] is { } group ? pool.Intern(group) : -1;
            tuiOffsets[i] = tuiIds.Count;
            if (_tuis[id] is { } tuis)
            {
                tuiIds.AddRange(tuis.Select(pool.Intern));
            }
        }

        tuiOffsets[n] = tuiIds.Count;
        int Index(string cui) => rank[_concepts[cui]];

        var terms = _terms.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
        var termText = terms.Select(t => pool.Intern(t.Key)).ToArray();
        var termConcept = terms.Select(t => Index(t.Value)).ToArray();

        var co = _co.Values
            .Select(e => (Src: Index(e.TargetCui), Dst: Index(e.HistoryCui), e.Stat))
            .OrderBy(e => e.Src)
            .ThenBy(e => e.Stat.Task, StringComparer.Ordinal)
            .ThenByDescending(e => e.Stat.Lift)
            .ThenByDescending(e => e.Stat.Count)
            .ThenBy(e => e.Stat.History, StringComparer.Ordinal)
            .ThenBy(e => e.Stat.Target, StringComparer.Ordinal)
            .ToArray();
        var coOffsets = Offsets(n, co.Select(e => e.Src));
        var coEdges = new CoEdgeColumns(co.Length);
        for (var i = 0; i < co.Length; i++)
        {
            var (_, dst, s) = co[i];
            coEdges.Dst[i] = dst;
            coEdges.Task[i] = pool.Intern(s.Task);
            coEdges.TargetTerm[i] = pool.Intern(s.Target);
            coEdges.HistoryTerm[i] = pool.Intern(s.History);
            coEdges.Count[i] = s.Count;
            coEdges.TargetDf[i] = s.TargetDf;
            coEdges.HistoryDf[i] = s.HistoryDf;
            coEdges.TaskSamples[i] = s.TaskSamples;
            coEdges.Lift[i] = s.Lift;
        }

        var (umlsOffsets, umlsEdges) = BuildUmls(n, rank, pool);
        return new KnowledgeGraph(
            pool.Strings.ToArray(),
            new ConceptColumns(cuiIds, nameIds, groupIds, tuiOffsets, tuiIds.ToArray()),
            termText,
            termConcept,
            coOffsets,
            coEdges,
            umlsOffsets,
            umlsEdges);
    }

    /// <summary>
    /// UMLS_REL in CSR order: by source index, then target index, then REL, RELA, SAB (ordinal), duplicates dropped.
    /// A counting pass places each row in its source's slice as one 8-byte key (target index, kind rank), each slice
    /// is sorted and de-duplicated in place, then the columns are written.
    /// </summary>
    private (int[] Offsets, UmlsEdgeColumns Edges) BuildUmls(int n, int[] rank, StringPool pool)
    {
        var kindOrder = Enumerable.Range(0, _kindList.Count)
            .OrderBy(k => _kindList[k].Rel, StringComparer.Ordinal)
            .ThenBy(k => _kindList[k].Rela, StringComparer.Ordinal)
            .ThenBy(k => _kindList[k].Sab, StringComparer.Ordinal)
            .ToArray();
        var kindRank = new int[kindOrder.Length];
        for (var r = 0; r < kindOrder.Length; r++)
        {
            kindRank[kindOrder[r]] = r;
        }

        var offsets = new int[n + 1];
        for (var i = 0; i < _relCount; i++)
        {
            offsets[rank[_relSource[i]] + 1]++;
        }

        for (var i = 0; i < n; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var keys = new long[_relCount];
        var cursor = offsets[..n];
        for (var i = 0; i < _relCount; i++)
        {
            keys[cursor[rank[_relSource[i]]]++] = ((long)rank[_relTarget[i]] << 32) | (uint)kindRank[_relKind[i]];
        }

        // Sort and de-duplicate each source's slice, compacting the keys to the front.
        var kept = 0;
        for (var s = 0; s < n; s++)
        {
            var start = offsets[s];
            var end = offsets[s + 1];
            offsets[s] = kept;
            Array.Sort(keys, start, end - start);
            for (var i = start; i < end; i++)
            {
                if (i == start || keys[i] != keys[i - 1])
                {
                    keys[kept++] = keys[i];
                }
            }
        }

        offsets[n] = kept;
        var edges = new UmlsEdgeColumns(kept);
        var kindRel = new int[kindOrder.Length];
        var kindRela = new int[kindOrder.Length];
        var kindSab = new int[kindOrder.Length];
        Array.Fill(kindRel, -1);
        for (var i = 0; i < kept; i++)
        {
            var k = (int)(uint)keys[i];
            if (kindRel[k] < 0)
            {
                // Interned when first met in edge order, as a per-edge intern would: the string table is unchanged.
                var (rel, rela, sab) = _kindList[kindOrder[k]];
                kindRel[k] = pool.Intern(rel);
                kindRela[k] = pool.Intern(rela);
                kindSab[k] = pool.Intern(sab);
            }

            edges.Dst[i] = (int)(keys[i] >> 32);
            edges.Rel[i] = kindRel[k];
            edges.Rela[i] = kindRela[k];
            edges.Sab[i] = kindSab[k];
        }

        return (offsets, edges);
    }

    private int EnsureConcept(string cui) => _concepts.TryGetValue(cui, out var id) ? id : Intern(cui, cui, null, null);

    private int Intern(string cui, string name, SortedSet<string>? tuis, string? group)
    {
        var id = _cuis.Count;
        _concepts.Add(cui, id);
        _cuis.Add(cui);
        _names.Add(name);
        _tuis.Add(tuis);
        _groups.Add(group);
        return id;
    }

    private static int[] Offsets(int n, IEnumerable<int> sortedSources)
    {
        var offsets = new int[n + 1];
        foreach (var s in sortedSources)
        {
            offsets[s + 1]++;
        }

        for (var i = 0; i < n; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        return offsets;
    }
}
