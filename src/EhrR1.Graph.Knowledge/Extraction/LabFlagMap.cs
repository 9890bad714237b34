namespace EhrR1.Graph.Knowledge.Extraction;

/// <summary>
/// Lab name → the flags (<c>high</c>, <c>low</c>, <c>abnormal</c>) of its abnormal results, gathered over results,
/// events or record fields; written as the <c>flags</c> / <c>history_flags</c> maps (labs and flags in ordinal order,
/// absent when empty).
/// </summary>
public sealed class LabFlagMap
{
    private readonly SortedDictionary<string, SortedSet<string>> _flags = new(StringComparer.Ordinal);

    /// <summary>Adds <paramref name="flags"/> to <paramref name="lab"/>'s.</summary>
    public void Add(string lab, IEnumerable<string> flags)
    {
        if (!_flags.TryGetValue(lab, out var set))
        {
            _flags[lab] = set = new SortedSet<string>(StringComparer.Ordinal);
        }

        set.UnionWith(flags);
    }

    /// <summary>Adds every lab's flags of a written map (nothing when null).</summary>
    public void AddAll(IReadOnlyDictionary<string, IReadOnlyList<string>>? flags)
    {
        foreach (var (lab, list) in flags ?? new Dictionary<string, IReadOnlyList<string>>())
        {
            Add(lab, list);
        }
    }

    /// <summary>The map as written in a record, or null when no lab has a flag.</summary>
    public Dictionary<string, IReadOnlyList<string>>? ToRecord() =>
        _flags.Count == 0 ? null : _flags.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<string>)[.. kv.Value], StringComparer.Ordinal);
}
