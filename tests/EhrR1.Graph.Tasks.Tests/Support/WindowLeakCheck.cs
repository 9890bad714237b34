using System.Globalization;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Tests.Support;

/// <summary>
/// The outcome-leak rule of issue 22, written independently of <c>LeakGuard</c>: an input window holds only events
/// recorded before its prediction time (decision tasks: the target's time, events at that time allowed, and the window
/// ends before the target; ED tasks: the ED outtime; admission and ICU tasks: the anchor plus 24 h; readmission: the
/// discharge note's time, the note included) and no discharge-time list (diagnoses_icd, drgcodes).
/// </summary>
internal static class WindowLeakCheck
{
    /// <summary>Asserts the rule for one window; returns the task family ("decision" or the risk anchor's table).</summary>
    public static string Assert(PatientTrajectory patient, TaskDefinition task, string sampleId, int targetIndex, int begin, int end, string because = "")
    {
        var ev = patient.Events;
        var anchor = ev[targetIndex];
        string family;
        DateTime prediction;
        bool inclusive;
        if (!task.IsRisk)
        {
            family = "decision";
            var timed = targetIndex;
            while (ev[timed].StartTime is null)
            {
                timed--;
            }

            (prediction, inclusive) = (ev[timed].StartTime!.Value, true);
            end.Should().BeLessThanOrEqualTo(targetIndex, because + sampleId);
        }
        else
        {
            family = anchor.Table;
            anchor.Table.Should().BeOneOf("edstays", "admissions", "icustays", "discharge");
            (prediction, inclusive) = anchor.Table switch
            {
                "edstays" => (DateTime.ParseExact(anchor.Items[0].Get("outtime")!, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture), false),
                "admissions" or "icustays" => (anchor.StartTime!.Value + TimeSpan.FromHours(24), false),
                _ => (anchor.StartTime!.Value, true),
            };
        }

        for (var k = begin; k < end; k++)
        {
            (ev[k].Table is "diagnoses_icd" or "drgcodes").Should().BeFalse($"{because}{sampleId}: the diagnosis list and DRG codes are only known at discharge");
            if (ev[k].StartTime is { } t)
            {
                (inclusive ? t <= prediction : t < prediction).Should().BeTrue($"{because}{sampleId}: event {k} ({ev[k].Table}) is recorded after the prediction time");
            }
        }

        return family;
    }
}
