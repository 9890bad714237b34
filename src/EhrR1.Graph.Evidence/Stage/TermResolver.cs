using EhrR1.Graph.Evidence.Graph;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>
/// Term → graph node: the sample's own CUI link first, then a term map (term → CUI, from the concept stage), then
/// an exact case-insensitive match on the graph's concept names (for a linked term, only its own minted node). Nodes are CUIs from then on; nothing is ever
/// re-resolved by name during the search. Thread-safe after construction.
/// </summary>
internal sealed class TermResolver
{
    private readonly RelationGraph _graph;
    private readonly Dictionary<string, string> _termMap;
    private readonly Dictionary<string, int> _byName;

    public TermResolver(RelationGraph graph, IEnumerable<KeyValuePair<string, string>>? termMap = null, IEnumerable<KeyValuePair<string, string>>? synonyms = null)
    {
        ArgumentNullException.ThrowIfNull(graph);
        _graph = graph;
        _termMap = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (term, cui) in termMap ?? [])
        {
            _termMap.TryAdd(term.Trim(), cui);
        }

        // Node ids are in CUI order, so an ambiguous name resolves to its smallest CUI: deterministic.
        _byName = new Dictionary<string, int>(graph.NodeCount, StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < graph.NodeCount; i++)
        {
            _byName.TryAdd(graph.Names[i].Trim(), i);
        }

        foreach (var (name, cui) in synonyms ?? [])
        {
            var id = graph.NodeOf(cui);
            if (id >= 0)
            {
                _byName.TryAdd(name.Trim(), id);
            }
        }
    }

    /// <summary>The node of <paramref name="term"/>, or -1.</summary>
    public int Resolve(string term, IReadOnlyDictionary<string, string>? sampleCuis)
    {
        // A term linked to a concept stays that concept: when the concept has no node, the name may only find the
        // term's own minted node (a co-occurrence graph's EHR: id for a term it could not resolve), never another
        // concept of the same name (the lab test "Glucose" is not the drug glucose).
        var key = term.Trim();
        var linked = false;
        if (sampleCuis is not null && sampleCuis.TryGetValue(term, out var cui))
        {
            var id = _graph.NodeOf(cui);
            if (id >= 0)
            {
                return id;
            }

            linked = true;
        }

        if (_termMap.TryGetValue(key, out var mapped))
        {
            var id = _graph.NodeOf(mapped);
            if (id >= 0)
            {
                return id;
            }

            linked = true;
        }

        var node = _graph.NodeOf(key);
        if (node >= 0)
        {
            return node; // the term is a CUI itself
        }

        return _byName.TryGetValue(key, out var byName) && (!linked || _graph.Cuis[byName].StartsWith(Knowledge.Graph.GraphBuilder.MintedPrefix, StringComparison.Ordinal)) ? byName : -1;
    }
}
