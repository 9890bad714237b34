using System.Globalization;

namespace EhrR1.Graph.Umls.Indexing;

/// <summary>
/// CUI → semantic types, built from MRSTY. Compact enough for the full UMLS (≈3.5M rows): real CUIs
/// (<c>C</c> + 7 digits) are keyed by their number, and each distinct TUI combination is stored once.
/// </summary>
internal sealed class SemanticTypeMap
{
    private readonly Dictionary<int, int> _numeric = [];
    private readonly Dictionary<string, int> _other = new(StringComparer.Ordinal);
    private readonly List<string[]> _sets = [[]];
    private readonly Dictionary<string, int> _setIds = new(StringComparer.Ordinal) { [string.Empty] = 0 };

    public Dictionary<string, string> TypeNames { get; } = new(StringComparer.Ordinal);

    public int Count => _numeric.Count + _other.Count;

    public void Add(string cui, string tui, string typeName)
    {
        if (typeName.Length > 0)
        {
            TypeNames.TryAdd(tui, typeName);
        }

        var current = _sets[Get(cui)];
        if (Array.IndexOf(current, tui) >= 0)
        {
            return;
        }

        var merged = current.Append(tui).Order(StringComparer.Ordinal).ToArray();
        var key = string.Join(',', merged);
        if (!_setIds.TryGetValue(key, out var id))
        {
            id = _sets.Count;
            _sets.Add(merged);
            _setIds[key] = id;
        }

        if (TryNumeric(cui, out var n))
        {
            _numeric[n] = id;
        }
        else
        {
            _other[cui] = id;
        }
    }

    public IReadOnlyList<string> Lookup(string cui) => _sets[Get(cui)];

    private int Get(string cui)
    {
        if (TryNumeric(cui, out var n))
        {
            return _numeric.GetValueOrDefault(n);
        }

        return _other.GetValueOrDefault(cui);
    }

    private static bool TryNumeric(string cui, out int n)
    {
        n = 0;
        return cui.Length == 8 && cui[0] == 'C' && int.TryParse(cui.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out n);
    }
}
