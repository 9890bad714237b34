using System.Globalization;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Tests.Support;

/// <summary>Builds small trajectories in code: one call per event, rows as key/value pairs.</summary>
internal sealed class TrajectoryBuilder(long subjectId)
{
    private readonly List<EhrEvent> _events = [];

    public TrajectoryBuilder Patient(string? dod = null, string gender = "F", string age = "60")
    {
        _events.Add(new EhrEvent("patients", null, null, null, [Row("gender", gender, "anchor_age", age, "dod", dod)]));
        return this;
    }

    public TrajectoryBuilder Add(string table, string? start, long? hadm, params EventItem[] rows)
    {
        var t = start is null ? (DateTime?)null : DateTime.ParseExact(start, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
        _events.Add(new EhrEvent(table, t, t, hadm, rows.Length == 0 ? [Row()] : rows));
        return this;
    }

    public PatientTrajectory Build() => new(subjectId, [.. _events]);

    /// <summary>A row from alternating keys and values.</summary>
    public static EventItem Row(params string?[] keyValues)
    {
        var keys = new string[keyValues.Length / 2];
        var values = new string?[keyValues.Length / 2];
        for (var i = 0; i < keys.Length; i++)
        {
            keys[i] = keyValues[2 * i]!;
            values[i] = keyValues[(2 * i) + 1];
        }

        return new EventItem(keys, values);
    }

    /// <summary>A radiology row with a list-valued exam_name.</summary>
    public static EventItem Radiology(string text, params string[] exams) =>
        new(["note_type", "text"], ["RR", text], new Dictionary<string, string[]>(StringComparer.Ordinal) { ["exam_name"] = exams });
}
