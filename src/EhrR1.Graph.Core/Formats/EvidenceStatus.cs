namespace EhrR1.Graph.Core.Formats;

/// <summary>
/// The <c>status</c> of an evidence record: why a sample has or has not got a thinking graph (the last attrition point
/// it reached). These are all the values <c>evidence search</c> writes.
/// </summary>
public static class EvidenceStatus
{
    /// <summary>The sample has at least one path.</summary>
    public const string Graph = "graph";

    /// <summary>Upstream search: no target has a co-occurring history concept.</summary>
    public const string NoCooccurrence = "no_cooccurrence";

    /// <summary>Upstream search: no (target, history) pair passed the lift threshold.</summary>
    public const string NoPairs = "no_pairs";

    /// <summary>Upstream search: no pair has a concept id at both ends.</summary>
    public const string NoCui = "no_cui";

    /// <summary>No path for any pair.</summary>
    public const string NoPath = "no_path";

    /// <summary>Upstream search: every path was removed by the endpoint filter.</summary>
    public const string EndpointFiltered = "endpoint_filtered";

    /// <summary>Knowledge-first search: no target term resolved to a concept of the graph.</summary>
    public const string NoTargetConcept = "no_target_concept";

    /// <summary>Knowledge-first search: no history term resolved to a concept of the graph.</summary>
    public const string NoHistoryConcept = "no_history_concept";

    /// <summary>Knowledge-first search: no path, and the search met hubs it did not walk through (the hub cap).</summary>
    public const string HubCap = "hub_cap";

    /// <summary>Every status, in attrition order.</summary>
    public static readonly IReadOnlyList<string> All = [Graph, NoCooccurrence, NoPairs, NoCui, NoPath, EndpointFiltered, NoTargetConcept, NoHistoryConcept, HubCap];
}
