using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// Collects concepts, terms, co-occurrence edges and UMLS relations and builds an immutable
/// <see cref="KnowledgeGraph"/>. Duplicates are merged: the first name and group of a concept win and semantic types
/// are united; a term maps to one concept (the first); a CO_OCCURS edge is keyed by (task, target term, history term),
/// a UMLS_REL edge by (CUI1, CUI2, REL, RELA, SAB). An edge whose concept is unknown adds a bare concept (name = CUI).
/// </summary>
public sealed class KnowledgeGraphBuilder
{
    private readonly Dictionary<string, (string Name, SortedSet<string> Tuis, string? Group)> _concepts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _terms = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Task, string Target, string History), CooccurrenceEdge> _co = [];
    private readonly HashSet<UmlsRelation> _umls = [];

    /// <summary>Concepts so far.</summary>
    public int ConceptCount => _concepts.Count;

    /// <summary>True when <paramref name="cui"/> was added.</summary>
    public bool HasConcept(string cui) => _concepts.ContainsKey(cui);

    /// <summary>Adds or merges a concept.</summary>
    public KnowledgeGraphBuilder AddConcept(GraphConcept concept)
    {
        ArgumentNullException.ThrowIfNull(concept);
        if (_concepts.TryGetValue(concept.Cui, out var existing))
        {
            existing.Tuis.UnionWith(concept.Tuis);
            if (existing.Group is null && concept.Group is not null)
            {
                _concepts[concept.Cui] = (existing.Name, existing.Tuis, concept.Group);
            }
        }
        else
        {
            _concepts.Add(concept.Cui, (concept.Name, new SortedSet<string>(concept.Tuis, StringComparer.Ordinal), concept.Group));
        }

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
        EnsureConcept(relation.Cui1);
        EnsureConcept(relation.Cui2);
        _umls.Add(relation);
        return this;
    }

    /// <summary>Builds the immutable graph (deterministic: everything is sorted ordinally).</summary>
    public KnowledgeGraph Build()
    {
        var pool = new StringPool();
        var cuis = _concepts.Keys.Order(StringComparer.Ordinal).ToArray();
        var index = new Dictionary<string, int>(cuis.Length, StringComparer.Ordinal);
        var n = cuis.Length;
        var cuiIds = new int[n];
        var nameIds = new int[n];
        var groupIds = new int[n];
        var tuiOffsets = new int[n + 1];
        var tuiIds = new List<int>();
        for (var i = 0; i < n; i++)
        {
            index[cuis[i]] = i;
            var (name, tuis, group) = _concepts[cuis[i]];
            cuiIds[i] = pool.Intern(cuis[i]);
            nameIds[i] = pool.Intern(name);
            groupIds[i] = group is null ? -1 : pool.Intern(group);
            tuiOffsets[i] = tuiIds.Count;
            tuiIds.AddRange(tuis.Select(pool.Intern));
        }

        tuiOffsets[n] = tuiIds.Count;

        var terms = _terms.OrderBy(t => t.Key, StringComparer.Ordinal).ToArray();
        var termText = terms.Select(t => pool.Intern(t.Key)).ToArray();
        var termConcept = terms.Select(t => index[t.Value]).ToArray();

        var co = _co.Values
            .Select(e => (Src: index[e.TargetCui], Dst: index[e.HistoryCui], e.Stat))
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

        var umls = _umls
            .Select(r => (Src: index[r.Cui1], Dst: index[r.Cui2], r))
            .OrderBy(e => e.Src)
            .ThenBy(e => e.Dst)
            .ThenBy(e => e.r.Rel, StringComparer.Ordinal)
            .ThenBy(e => e.r.Rela, StringComparer.Ordinal)
            .ThenBy(e => e.r.Sab, StringComparer.Ordinal)
            .ToArray();
        var umlsOffsets = Offsets(n, umls.Select(e => e.Src));
        var umlsEdges = new UmlsEdgeColumns(umls.Length);
        for (var i = 0; i < umls.Length; i++)
        {
            umlsEdges.Dst[i] = umls[i].Dst;
            umlsEdges.Rel[i] = pool.Intern(umls[i].r.Rel);
            umlsEdges.Rela[i] = pool.Intern(umls[i].r.Rela);
            umlsEdges.Sab[i] = pool.Intern(umls[i].r.Sab);
        }

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

    private void EnsureConcept(string cui)
    {
        if (!_concepts.ContainsKey(cui))
        {
            _concepts.Add(cui, (cui, new SortedSet<string>(StringComparer.Ordinal), null));
        }
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
