namespace EhrR1.Graph.Core.Formats;

/// <summary>The <c>status</c> of a pair in an evidence record: what became of the (target, history) pair.</summary>
public static class EvidencePairStatus
{
    /// <summary>At least one path joins the pair.</summary>
    public const string Path = "path";

    /// <summary>One end (or both) has no concept id.</summary>
    public const string NoCui = "no_cui";

    /// <summary>No path joins the pair.</summary>
    public const string NoPath = "no_path";

    /// <summary>Upstream search: no path within the explored-node budget.</summary>
    public const string Budget = "budget";

    /// <summary>Upstream search: every path was removed because both ends are the same concept.</summary>
    public const string EndpointFiltered = "endpoint_filtered";

    /// <summary>Knowledge-first search: no path, and the search met hubs it did not walk through.</summary>
    public const string HubCap = "hub_cap";

    /// <summary>Every pair status.</summary>
    public static readonly IReadOnlyList<string> All = [Path, NoCui, NoPath, Budget, EndpointFiltered, HubCap];
}
