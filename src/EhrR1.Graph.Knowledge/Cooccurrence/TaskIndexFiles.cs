using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Tasks.Indexing;

namespace EhrR1.Graph.Knowledge.Cooccurrence;

/// <summary>Reads the task index folder of <c>ehr-graph tasks index</c> (one <c>{task}.jsonl</c> per task).</summary>
public static class TaskIndexFiles
{
    /// <summary>
    /// The rows of the tasks accepted by <paramref name="includeTask"/> whose subject is in
    /// <paramref name="subjects"/> (null = all), streaming.
    /// </summary>
    public static IEnumerable<TaskIndexRow> Read(string dir, Func<string, bool> includeTask, Func<long, bool>? subjects, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(includeTask);
        if (!Directory.Exists(dir))
        {
            throw new InputDataException("EHR-GR-040", dir, null, null, "the task index folder does not exist", fix: "Run `ehr-graph tasks index` first and pass its --out folder");
        }

        foreach (var path in Directory.EnumerateFiles(dir, "*.jsonl").Order(StringComparer.Ordinal))
        {
            var task = Path.GetFileNameWithoutExtension(path);
            if (!includeTask(task))
            {
                continue;
            }

            foreach (var (line, row) in JsonlReader.Read<TaskIndexRow>(path, null, cancellationToken))
            {
                if (row.ContextBegin < 0 || row.ContextEnd < row.ContextBegin || row.TargetIndex < 0)
                {
                    throw new InputDataException("EHR-GR-042", path, line, "context_begin", "invalid context window", "0 <= context_begin <= context_end and target_index >= 0");
                }

                if (subjects is null || subjects(row.SubjectId))
                {
                    yield return row;
                }
            }
        }
    }
}
