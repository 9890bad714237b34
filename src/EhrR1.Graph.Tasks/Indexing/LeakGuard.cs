using System.Globalization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>
/// The outcome-leak guard (docs/tasks.md, "Leak guard"): an instance's input window may hold only events recorded
/// before its prediction time, and never an event of a kind that is only known at an admission's discharge. It is
/// checked on every instance the index writes and on every sample the export renders, independently of the window
/// rules that should already guarantee it.
/// </summary>
public static class LeakGuard
{
    /// <summary>
    /// Whether events of <paramref name="table"/> are only known once the admission ends: the tables without a time
    /// of their own (the diagnosis list, DRG codes), which ingest places after the admission's last timed event.
    /// </summary>
    public static bool IsDischargeOnly(string table) => table is "diagnoses_icd" or "drgcodes";

    /// <summary>
    /// The moment a prediction is made, and whether window events at exactly that moment are allowed: decision tasks
    /// at the target's start (a borrowed one for untimed targets), events at or before it; ED risk tasks at the ED
    /// outtime, admission and ICU risk tasks at the anchor's start plus the window length, events strictly before
    /// it; readmission at the discharge note's time, events at or before it. Null when unknown (an admission or ICU
    /// task without <paramref name="window"/>, a missing time).
    /// </summary>
    public static (DateTime Time, bool Inclusive)? PredictionTime(PatientTrajectory trajectory, TaskDefinition task, int targetIndex, TimeSpan? window)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(task);
        var events = trajectory.Events;
        if (!task.IsRisk)
        {
            for (var k = targetIndex; k >= 0; k--)
            {
                if (events[k].StartTime is { } t)
                {
                    return (t, true);
                }
            }

            return null;
        }

        var anchor = events[targetIndex];
        switch (anchor.Table)
        {
            case "edstays":
                return anchor.Items.Count > 0 && TimeValues.Parse(anchor.Items[0].Get("outtime")) is { } outT ? (outT, false) : null;
            case "admissions" or "icustays":
                return anchor.StartTime is { } s && window is { } w ? (s + w, false) : null;
            default:
                return anchor.StartTime is { } d ? (d, true) : null;
        }
    }

    /// <summary>
    /// The first leak in the window <c>[begin, end)</c> of an instance: the event index and the reason (which names the
    /// event kind, never patient text); null when there is none. <paramref name="window"/> is the index's window length
    /// (null skips the time check of admission and ICU tasks, whose prediction time depends on it).
    /// </summary>
    public static (int Index, string Reason)? Find(PatientTrajectory trajectory, TaskDefinition task, int targetIndex, int begin, int end, TimeSpan? window)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(task);
        var events = trajectory.Events;
        if (!task.IsRisk && end > targetIndex)
        {
            return (targetIndex, "the input window of a decision task reaches its target event (kind " + events[targetIndex].Table + ")");
        }

        var prediction = PredictionTime(trajectory, task, targetIndex, window);
        for (var k = begin; k < end; k++)
        {
            var ev = events[k];
            if (IsDischargeOnly(ev.Table))
            {
                return (k, "the input window holds an event of kind " + ev.Table + ", which is only known at the admission's discharge");
            }

            if (prediction is { } p && ev.StartTime is { } t && (t > p.Time || (!p.Inclusive && t == p.Time)))
            {
                return (k, "the input window holds an event of kind " + ev.Table + " recorded " + After(t - p.Time));
            }
        }

        return null;
    }

    /// <summary>Throws an <see cref="InputDataException"/> naming the task, the sample id and the offending event kind.</summary>
    public static void Verify(PatientTrajectory trajectory, TaskDefinition task, string sampleId, int targetIndex, int begin, int end, TimeSpan? window, string file, long? line)
    {
        if (Find(trajectory, task, targetIndex, begin, end, window) is { } leak)
        {
            throw new InputDataException(
                "EHR-TSK-002",
                file,
                line,
                "context_end",
                "outcome leak in task " + task.Name + ", sample " + sampleId + ": " + leak.Reason + " (trajectory index " + leak.Index.ToString(CultureInfo.InvariantCulture) + ")",
                expected: "a window of events recorded before the prediction time, without discharge-time lists",
                fix: "This is a bug of the window rules; report it with the sample id");
        }
    }

    private static string After(TimeSpan span) =>
        span == TimeSpan.Zero ? "at the prediction time" : span.TotalHours.ToString("0.##", CultureInfo.InvariantCulture) + " h after the prediction time";
}
