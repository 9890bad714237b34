namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>Interns strings to dense integer ids (id 0 is the empty string).</summary>
internal sealed class StringPool
{
    private readonly Dictionary<string, int> _ids = new(StringComparer.Ordinal) { [string.Empty] = 0 };
    private readonly List<string> _strings = [string.Empty];

    public int Count => _strings.Count;

    public IReadOnlyList<string> Strings => _strings;

    public int Intern(string s)
    {
        if (!_ids.TryGetValue(s, out var id))
        {
            id = _strings.Count;
            _ids.Add(s, id);
            _strings.Add(s);
        }

        return id;
    }
}
