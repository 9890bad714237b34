using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Evaluation.Baselines;

/// <summary>
/// What <see cref="GraphBaseline"/> reads, already loaded by the caller from the pipeline's files: each sample's history
/// concepts (<c>concepts samples</c>), the co-occurrence pairs with their lift (<c>graph cooccur</c>), the term → CUI
/// links found by concept extraction (the <c>cuis</c> of the sample records, as evidence search maps terms) and the
/// knowledge relations between CUIs (<c>graph build</c>). Terms are compared in the answer normal form (trimmed,
/// lower case), so labels, targets and history concepts meet whatever their case.
/// </summary>
public sealed class GraphBaselineInputs
{
    private static readonly IReadOnlyDictionary<string, List<(string Target, double Lift)>> NoLifts = new Dictionary<string, List<(string Target, double Lift)>>(StringComparer.Ordinal);

    private readonly Dictionary<string, Dictionary<string, List<(string Target, double Lift)>>> _lifts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _cuis = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<string>> _related = new(StringComparer.Ordinal);

    /// <param name="history">Sample id → its history concepts (the first record of a sample id wins).</param>
    /// <param name="pairs">Co-occurrence pairs (task, target, history, lift).</param>
    /// <param name="termCuis">Term → CUI links (the first link of a term wins).</param>
    /// <param name="relations">Knowledge relations; only those between two linked CUIs are kept, both directions.</param>
    public GraphBaselineInputs(
        IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> history,
        IEnumerable<CooccurrenceStat> pairs,
        IEnumerable<KeyValuePair<string, string>> termCuis,
        IEnumerable<UmlsRelation> relations)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(pairs);
        ArgumentNullException.ThrowIfNull(termCuis);
        ArgumentNullException.ThrowIfNull(relations);
        var histories = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        foreach (var (id, terms) in history)
        {
            histories.TryAdd(id, terms.Select(Normalize).Where(t => t.Length > 0).Distinct(StringComparer.Ordinal).ToList());
        }

        History = histories;
        foreach (var p in pairs)
        {
            if (!_lifts.TryGetValue(p.Task, out var byHistory))
            {
                _lifts[p.Task] = byHistory = new(StringComparer.Ordinal);
            }

            var h = Normalize(p.History);
            if (!byHistory.TryGetValue(h, out var list))
            {
                byHistory[h] = list = [];
            }

            list.Add((Normalize(p.Target), p.Lift));
        }

        foreach (var (term, cui) in termCuis)
        {
            _cuis.TryAdd(Normalize(term), cui);
        }

        var linked = _cuis.Values.ToHashSet(StringComparer.Ordinal);
        foreach (var r in relations)
        {
            if (!string.Equals(r.Cui1, r.Cui2, StringComparison.Ordinal) && linked.Contains(r.Cui1) && linked.Contains(r.Cui2))
            {
                Relate(r.Cui1, r.Cui2);
                Relate(r.Cui2, r.Cui1);
            }
        }
    }

    /// <summary>Sample id → its history concepts, normalised, distinct.</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<string>> History { get; }

    /// <summary>Kept relations between linked CUIs (each direction counted once).</summary>
    public int RelationCount => _related.Values.Sum(s => s.Count);

    /// <summary>The answer normal form of a term: trimmed, lower case (invariant).</summary>
    public static string Normalize(string term) => (term ?? string.Empty).Trim().ToLowerInvariant();

    /// <summary>Normalised history concept → the (normalised target, lift) pairs of <paramref name="task"/>.</summary>
    internal IReadOnlyDictionary<string, List<(string Target, double Lift)>> LiftsByHistory(string task) =>
        _lifts.TryGetValue(task, out var t) ? t : NoLifts;

    internal string? CuiOf(string normalizedTerm) => _cuis.GetValueOrDefault(normalizedTerm);

    internal IReadOnlyCollection<string> Related(string cui) => _related.TryGetValue(cui, out var s) ? s : [];

    private void Relate(string from, string to)
    {
        if (!_related.TryGetValue(from, out var set))
        {
            _related[from] = set = new(StringComparer.Ordinal);
        }

        set.Add(to);
    }
}
