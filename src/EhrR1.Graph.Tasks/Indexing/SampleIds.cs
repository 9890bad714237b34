using System.Globalization;

namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>The cross-stage sample id <c>{task}:{subject_id}:{target_index}</c>.</summary>
public static class SampleIds
{
    public static string Format(string task, long subjectId, int targetIndex) =>
        string.Create(CultureInfo.InvariantCulture, $"{task}:{subjectId}:{targetIndex}");
}
