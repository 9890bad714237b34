using System.Text;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Export;

/// <summary>
/// Upstream stage C: the model input of a sample is the demographics (event 0), the last discharge of another
/// admission, the admission record (unless the task is admissions) and the context window without the task's hidden
/// event types and without admissions events, each rendered by the markdown renderer and joined by a blank line.
/// Rendered events are cached per patient, because the windows of one patient's samples overlap.
/// </summary>
public sealed class SampleInputBuilder(Func<EhrEvent, string> renderer, bool keepEmptyParts = false)
{
    private readonly StringBuilder _sb = new(1 << 14);
    private PatientTrajectory? _patient;
    private string?[] _rendered = [];

    public string Build(PatientTrajectory trajectory, TaskDefinition task, TaskIndexRow row)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(row);
        if (!ReferenceEquals(trajectory, _patient))
        {
            _patient = trajectory;
            _rendered = new string?[trajectory.Events.Count];
        }

        _sb.Clear();
        var first = true;
        void Part(string text)
        {
            if (text.Length == 0 && !keepEmptyParts)
            {
                return;
            }

            if (!first)
            {
                _sb.Append("\n\n");
            }

            _sb.Append(text);
            first = false;
        }

        Part(trajectory.Events.Count > 0 ? Render(0) : string.Empty);
        Part(row.LastDischargeId is { } d ? Render(d) : string.Empty);
        Part(row.AdmissionsId is { } a && task.Name != "admissions" ? Render(a) : string.Empty);
        for (var k = row.ContextBegin; k < row.ContextEnd; k++)
        {
            var table = trajectory.Events[k].Table;
            if (table == "admissions" || task.Hides(table))
            {
                continue;
            }

            Part(Render(k));
        }

        return _sb.ToString();
    }

    /// <summary>Reads (decodes) every event the input of <paramref name="row"/> uses, without rendering.</summary>
    public static void Touch(PatientTrajectory trajectory, TaskIndexRow row)
    {
        ArgumentNullException.ThrowIfNull(trajectory);
        ArgumentNullException.ThrowIfNull(row);
        var events = trajectory.Events;
        if (events.Count > 0)
        {
            _ = events[0];
        }

        if (row.LastDischargeId is { } d)
        {
            _ = events[d];
        }

        if (row.AdmissionsId is { } a)
        {
            _ = events[a];
        }

        for (var k = row.ContextBegin; k < row.ContextEnd; k++)
        {
            _ = events[k];
        }
    }

    private string Render(int index) => _rendered[index] ??= renderer(_patient!.Events[index]);
}
