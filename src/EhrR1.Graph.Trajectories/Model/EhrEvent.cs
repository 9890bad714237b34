namespace EhrR1.Graph.Trajectories.Model;

/// <summary>
/// An event: a maximal run of consecutive rows of the same source table in a patient's time-ordered trajectory.
/// </summary>
/// <param name="Table">Source table name (upstream <c>file_name</c>): <c>labevents</c>, <c>triage</c>, <c>discharge</c>, ...</param>
/// <param name="StartTime">Time of the first row (second resolution); null for <c>patients</c> and untimed rows.</param>
/// <param name="EndTime">Latest row time, or null.</param>
/// <param name="HadmId">The first row's admission id, or null.</param>
/// <param name="Items">The rows.</param>
public sealed record EhrEvent(string Table, DateTime? StartTime, DateTime? EndTime, long? HadmId, IReadOnlyList<EventItem> Items);
