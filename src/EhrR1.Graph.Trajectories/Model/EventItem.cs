namespace EhrR1.Graph.Trajectories.Model;

/// <summary>
/// One source row of an event: its columns in source order plus the derived (mapped) keys added at ingestion
/// (<c>item_name</c>, <c>diagnoses</c>, <c>procedures</c>, <c>CCS Type</c>, <c>ATC Type</c>, <c>exam_name</c>, ...).
/// Values are faithful strings as they appear in the source (ids stay <c>22841357</c>, never <c>22841357.0</c>);
/// a null value means the source cell was empty. <c>exam_name</c> of radiology is list-valued (see <see cref="GetList"/>).
/// </summary>
public sealed class EventItem
{
    private readonly string[] _keys;
    private readonly string?[] _values;
    private readonly Dictionary<string, string[]>? _lists;

    /// <summary>Creates an item from parallel key and value arrays, and optional list-valued fields.</summary>
    public EventItem(string[] keys, string?[] values, Dictionary<string, string[]>? lists = null)
    {
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(values);
        if (keys.Length != values.Length)
        {
            throw new ArgumentException("keys and values must have the same length", nameof(values));
        }

        _keys = keys;
        _values = values;
        _lists = lists;
    }

    /// <summary>Column names in order (scalar fields only).</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>Values parallel to <see cref="Keys"/>.</summary>
    public IReadOnlyList<string?> Values => _values;

    /// <summary>List-valued fields (e.g. radiology <c>exam_name</c>).</summary>
    public IReadOnlyDictionary<string, string[]> Lists => _lists ?? (IReadOnlyDictionary<string, string[]>)EmptyLists;

    private static readonly Dictionary<string, string[]> EmptyLists = new(StringComparer.Ordinal);

    /// <summary>True when the item has the scalar key (its value may still be null = empty cell).</summary>
    public bool Has(string key) => Array.IndexOf(_keys, key) >= 0;

    /// <summary>The scalar value of <paramref name="key"/>, or null when absent or empty.</summary>
    public string? Get(string key)
    {
        var i = Array.IndexOf(_keys, key);
        return i >= 0 ? _values[i] : null;
    }

    /// <summary>The list value of <paramref name="key"/>, or null when the item has no such list.</summary>
    public IReadOnlyList<string>? GetList(string key) =>
        _lists is not null && _lists.TryGetValue(key, out var l) ? l : null;
}
