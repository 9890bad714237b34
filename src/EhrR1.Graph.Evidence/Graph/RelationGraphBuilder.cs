using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Evidence.Graph;

/// <summary>
/// Builds a <see cref="RelationGraph"/> from any stream of relation rows (<see cref="UmlsRelation"/>, co-occurrence
/// edges). The hop label is RELA, or REL when RELA is empty. Rows whose RELA is excluded, self loops and
/// duplicates of the same (cui1, cui2, label) are dropped. Memory while building: 12 bytes per accepted row,
/// then 8 bytes per hop (two hops per row) plus 4 bytes per node in the result.
/// </summary>
internal sealed class RelationGraphBuilder
{
    private readonly Dictionary<string, int> _nodes = new(StringComparer.Ordinal);
    private readonly List<string> _cuis = [];
    private readonly List<string?> _names = [];
    private readonly List<string?> _groups = [];
    private readonly HashSet<int> _classNodes = [];
    private readonly Dictionary<string, int> _labels = new(StringComparer.Ordinal);
    private readonly List<string> _labelList = [];
    private readonly HashSet<string> _excluded;
    private int[] _from = new int[1024];
    private int[] _to = new int[1024];
    private int[] _label = new int[1024];
    private int[] _source = new int[1024];
    private readonly Dictionary<string, int> _sources = new(StringComparer.Ordinal) { [string.Empty] = 0 };
    private readonly List<string> _sourceList = [string.Empty];
    private int _rows;

    public RelationGraphBuilder(IEnumerable<string>? excludedRelas = null)
    {
        _excluded = new HashSet<string>(excludedRelas ?? EvidenceDefaults.ExcludedRelas, StringComparer.Ordinal);
    }

    public long RowsSeen { get; private set; }

    public long RowsExcluded { get; private set; }

    /// <summary>Adds (or names) a concept node.</summary>
    public void AddConcept(string cui, string? name)
    {
        var id = Intern(cui);
        if (!string.IsNullOrEmpty(name) && _names[id] is null)
        {
            _names[id] = name;
        }
    }

    public void AddConcept(GraphConcept concept)
    {
        ArgumentNullException.ThrowIfNull(concept);
        AddConcept(concept.Cui, concept.Name);
        _groups[_nodes[concept.Cui]] ??= ConceptKinds.Of(concept.Group, concept.Tuis as IReadOnlyCollection<string> ?? [.. concept.Tuis], concept.Name, concept.Cui);
    }

    public void AddRelation(UmlsRelation row)
    {
        ArgumentNullException.ThrowIfNull(row);
        AddRelation(row.Cui1, row.Cui2, row.Rel, row.Rela, row.Sab);
    }

    /// <summary>Adds one stored relation cui1 → cui2, from source <paramref name="sab"/> (kept on the hop; the same
    /// relation from several sources becomes one hop whose source lists them all, joined by <c>+</c>).</summary>
    public void AddRelation(string cui1, string cui2, string? rel, string? rela, string? sab = null)
    {
        RowsSeen++;
        var from = Intern(cui1);
        var to = Intern(cui2);
        if (!string.IsNullOrEmpty(rela) && _excluded.Contains(rela))
        {
            RowsExcluded++;
            return;
        }

        if (string.Equals(cui1, cui2, StringComparison.Ordinal))
        {
            RowsExcluded++;
            return;
        }

        var label = !string.IsNullOrEmpty(rela) ? rela : (string.IsNullOrEmpty(rel) ? "related_to" : rel);

        // "CUI2 has_epc CUI1" (and the other has_ class relations): CUI1 is a pharmacologic class, whatever its name
        if (ClinicalRelations.RoleOf(label) == RelationRole.DrugClass && label.StartsWith("has_", StringComparison.Ordinal))
        {
            _classNodes.Add(from);
        }

        if (!_labels.TryGetValue(label, out var labelId))
        {
            labelId = _labelList.Count;
            _labels.Add(label, labelId);
            _labelList.Add(label);
        }

        if (_rows == _from.Length)
        {
            var size = _rows * 2;
            Array.Resize(ref _from, size);
            Array.Resize(ref _to, size);
            Array.Resize(ref _label, size);
            Array.Resize(ref _source, size);
        }

        sab ??= string.Empty;
        if (!_sources.TryGetValue(sab, out var sourceId))
        {
            sourceId = _sourceList.Count;
            _sources.Add(sab, sourceId);
            _sourceList.Add(sab);
        }

        _from[_rows] = from;
        _to[_rows] = to;
        _label[_rows] = labelId;
        _source[_rows] = sourceId;
        _rows++;
    }

    public RelationGraph Build()
    {
        var n = _cuis.Count;

        // Labels are renumbered in ordinal order so that hop order (and so every search result) does not depend on
        // the order the rows arrived in.
        var labelOrder = Enumerable.Range(0, _labelList.Count).OrderBy(i => _labelList[i], StringComparer.Ordinal).ToArray();
        var labelRank = new int[labelOrder.Length];
        for (var r = 0; r < labelOrder.Length; r++)
        {
            labelRank[labelOrder[r]] = r;
        }

        // Node ids are renumbered in CUI order for the same reason.
        var nodeOrder = Enumerable.Range(0, n).OrderBy(i => _cuis[i], StringComparer.Ordinal).ToArray();
        var nodeRank = new int[n];
        for (var r = 0; r < n; r++)
        {
            nodeRank[nodeOrder[r]] = r;
        }

        // Each row yields two hops: (from → to, forward) and (to → from, reverse). Sort hop keys, de-duplicate.
        var hops = new ulong[(long)_rows * 2];
        var hopSources = new int[(long)_rows * 2];
        var count = 0;
        for (var i = 0; i < _rows; i++)
        {
            var a = nodeRank[_from[i]];
            var b = nodeRank[_to[i]];
            var l = labelRank[_label[i]];
            hopSources[count] = _source[i];
            hops[count++] = Pack(a, b, l, reverse: false);
            hopSources[count] = _source[i];
            hops[count++] = Pack(b, a, l, reverse: true);
        }

        // sources ride along with their keys, so the same hop from several sources can be merged below
        Array.Sort(hops, hopSources, 0, count);
        var offsets = new int[n + 1];
        var targets = new int[count];
        var labelDirs = new int[count];
        var sources = new int[count];
        var sourceSets = new Dictionary<string, int>(StringComparer.Ordinal) { [string.Empty] = 0 };
        var sourceSetList = new List<string> { string.Empty };
        var degrees = new int[n];
        var kept = 0;
        ulong previous = ulong.MaxValue;
        long forwardRows = 0;
        var lastNeighbour = -1;
        var lastFrom = -1;
        var merged = new SortedSet<string>(StringComparer.Ordinal);
        var singleSourceSet = Enumerable.Repeat(-1, _sourceList.Count).ToArray();
        int SetId(string set)
        {
            if (!sourceSets.TryGetValue(set, out var id))
            {
                id = sourceSetList.Count;
                sourceSets.Add(set, id);
                sourceSetList.Add(set);
            }

            return id;
        }

        for (var i = 0; i < count; i++)
        {
            if (hops[i] == previous)
            {
                continue;
            }

            previous = hops[i];
            int setId;
            if (i + 1 >= count || hops[i + 1] != hops[i])
            {
                // one row gives this hop (the common case): its source set is that source alone, looked up once per source
                setId = singleSourceSet[hopSources[i]] >= 0 ? singleSourceSet[hopSources[i]] : singleSourceSet[hopSources[i]] = SetId(_sourceList[hopSources[i]]);
            }
            else
            {
                merged.Clear();
                for (var j = i; j < count && hops[j] == hops[i]; j++)
                {
                    if (_sourceList[hopSources[j]].Length > 0)
                    {
                        merged.Add(_sourceList[hopSources[j]]);
                    }
                }

                setId = SetId(string.Join('+', merged));
            }

            Unpack(hops[i], out var from, out var to, out var labelDir);
            offsets[from + 1]++;
            targets[kept] = to;
            labelDirs[kept] = labelDir;
            sources[kept] = setId;
            kept++;
            if (from != lastFrom || to != lastNeighbour)
            {
                degrees[from]++;
                lastFrom = from;
                lastNeighbour = to;
            }

            if (!RelationGraph.IsReverse(labelDir))
            {
                forwardRows++;
            }
        }

        for (var i = 0; i < n; i++)
        {
            offsets[i + 1] += offsets[i];
        }

        var cuis = new string[n];
        var names = new string[n];
        var groups = new string?[n];
        var byCui = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var old = 0; old < n; old++)
        {
            var id = nodeRank[old];
            cuis[id] = _cuis[old];
            names[id] = _names[old] ?? _cuis[old];
            groups[id] = _classNodes.Contains(old) ? ConceptKinds.DrugClass : _groups[old];
            byCui[_cuis[old]] = id;
        }

        var labels = labelOrder.Select(i => _labelList[i]).ToArray();
        Array.Resize(ref targets, kept);
        Array.Resize(ref labelDirs, kept);
        Array.Resize(ref sources, kept);
        return new RelationGraph(cuis, names, labels, offsets, targets, labelDirs, byCui, forwardRows)
        {
            HopSources = sources,
            SourceSets = [.. sourceSetList],
            Degrees = degrees,
            Kinds = groups,
        };
    }

    // Key layout, sorted as unsigned: from (26 bits) | to (26 bits) | reverse (1 bit) | label (11 bits), so the hops of a
    // node are ordered by neighbour, then forward before reverse, then label rank.
    private static ulong Pack(int from, int to, int label, bool reverse)
    {
        if (from >= 1 << 26 || to >= 1 << 26 || label >= 1 << 11)
        {
            throw new InvalidOperationException("The relation graph exceeds 67M nodes or 2048 relation labels.");
        }

        return ((ulong)from << 38) | ((ulong)to << 12) | ((reverse ? 1UL : 0UL) << 11) | (uint)label;
    }

    private static void Unpack(ulong key, out int from, out int to, out int labelDir)
    {
        from = (int)(key >> 38);
        to = (int)((key >> 12) & ((1UL << 26) - 1));
        var reverse = (int)((key >> 11) & 1);
        var label = (int)(key & 2047);
        labelDir = (label << 1) | reverse;
    }

    private int Intern(string cui)
    {
        if (!_nodes.TryGetValue(cui, out var id))
        {
            id = _cuis.Count;
            _nodes.Add(cui, id);
            _cuis.Add(cui);
            _names.Add(null);
            _groups.Add(null);
        }

        return id;
    }
}
