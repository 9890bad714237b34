namespace EhrR1.Graph.Tasks.Indexing;

/// <summary>File names inside a task index folder (docs/tasks.md, "Index format").</summary>
public static class TaskIndexLayout
{
    public const string ManifestFile = "manifest.json";
    public const string LabelsFile = "labels.jsonl";
    public const string TaskFileSuffix = ".jsonl";
    public const string SubjectFileSuffix = ".subjects.bin";

    /// <summary>Bytes per record of <c>{task}.subjects.bin</c>: subject id (int64), byte offset (int64), row count (int32), little-endian.</summary>
    public const int SubjectRecordSize = 20;

    public static string TaskFile(string directory, string task) => Path.Combine(directory, task + TaskFileSuffix);

    public static string SubjectFile(string directory, string task) => Path.Combine(directory, task + SubjectFileSuffix);
}
