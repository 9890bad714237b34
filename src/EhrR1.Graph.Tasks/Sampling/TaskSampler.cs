using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Tasks.Sampling;

/// <summary>
/// <c>ehr-graph tasks sample</c>: filters and samples the task index into one JSONL of index rows (upstream §2.2),
/// seeded and deterministic. Each task file is read twice (filter and draw keys, then copy the chosen lines), and only
/// the chosen line numbers are kept in memory (a bounded heap per task, or per label with --balance-force).
/// </summary>
public sealed class TaskSampler(ILogger<TaskSampler>? logger = null)
{
    public const string StageName = "tasks sample";

    private static readonly HashSet<string> WeightedTasks = new(StringComparer.Ordinal) { "chartevents", "emar", TaskCatalog.NextEvent };
    private static readonly HashSet<string> AdmissionRuleTasks = new(StringComparer.Ordinal) { "procedures_icd", "procedures_ccs", "diagnoses_icd", "diagnoses_ccs" };

    private readonly ILogger _logger = logger ?? (ILogger)NullLogger.Instance;

    public async Task<StageReport> RunAsync(SampleSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        var clock = Stopwatch.StartNew();
        var caps = LoadCaps(settings.ConfigPath);
        var subjects = settings.SubjectsFile is null ? null : LoadSubjects(settings.SubjectsFile);
        if (!Directory.Exists(settings.IndexDirectory) || !File.Exists(Path.Combine(settings.IndexDirectory, TaskIndexLayout.ManifestFile)))
        {
            throw new InputDataException("EHR-TSK-010", settings.IndexDirectory, null, null, "the folder is not a task index", expected: "a folder written by 'ehr-graph tasks index' (with manifest.json)", fix: "Run 'ehr-graph tasks index' first, or check --index");
        }

        var tasks = TaskCatalog.All.Where(t => caps.ContainsKey(t.Name)).ToList();
        LogMessages.SampleStarted(_logger, tasks.Count, settings.IndexDirectory, settings.Seed);
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        long total = 0;
        await AtomicFile.WriteAsync(settings.OutputFile, async (stream, ct) =>
        {
            await using var writer = new StreamWriter(stream, TextEncodings.Utf8NoBom, 1 << 16, leaveOpen: true) { NewLine = "\n" };
            var done = 0;
            foreach (var task in tasks)
            {
                var file = TaskIndexLayout.TaskFile(settings.IndexDirectory, task.Name);
                if (!File.Exists(file))
                {
                    LogMessages.TaskMissing(_logger, task.Name);
                    counts["task." + task.Name] = 0;
                    continue;
                }

                var chosen = await ChooseAsync(task, file, caps[task.Name], settings, subjects, ct);
                await CopyLinesAsync(file, chosen, writer, ct);
                counts["task." + task.Name] = chosen.Count;
                total += chosen.Count;
                progress?.Report(new StageProgress("tasks", ++done, tasks.Count, "tasks"));
            }
        }, cancellationToken);

        counts["samples"] = total;
        if (settings.SubjectsOutputFile is { } subjectsOut)
        {
            counts["subjects_in_part"] = WriteSubjectsInPart(settings, subjects, subjectsOut);
        }

        new RunManifest
        {
            Stage = StageName,
            Settings = new Dictionary<string, string?>
            {
                ["index"] = Path.GetFullPath(settings.IndexDirectory),
                ["config"] = settings.ConfigPath,
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["force_task_num"] = settings.ForceTaskNum?.ToString(CultureInfo.InvariantCulture),
                ["balance_force"] = settings.BalanceForce ? "true" : "false",
                ["balance_sample"] = settings.BalanceSample ? "true" : "false",
                ["context_min"] = settings.ContextMin.ToString(CultureInfo.InvariantCulture),
                ["context_max"] = settings.ContextMax.ToString(CultureInfo.InvariantCulture),
                ["chart_label_limit"] = settings.ChartLabelLimit.ToString(CultureInfo.InvariantCulture),
                ["admissions_rule"] = settings.AdmissionsRule ? "true" : "false",
                ["subjects"] = settings.SubjectsFile,
                ["test_ratio"] = settings.TestRatio?.ToString(CultureInfo.InvariantCulture),
                ["split"] = settings.TestRatio is null ? null : settings.Split == SplitPart.Test ? "test" : "train",
                ["subjects_out"] = settings.SubjectsOutputFile,
            },
            Inputs = [FileFingerprint.Of(settings.ConfigPath)],
            Counts = counts,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(ManifestPath(settings.OutputFile));
        return new StageReport(StageName, clock.Elapsed.TotalSeconds, counts, [Path.GetFullPath(settings.OutputFile)]);
    }

    /// <summary>The manifest written beside a samples file.</summary>
    public static string ManifestPath(string samplesFile) => samplesFile + ".manifest.json";

    /// <summary>The sample count for a task: the cap, or --force-task-num (a count, or a fraction of the cap).</summary>
    internal static long TargetCount(long cap, double? force) =>
        force switch
        {
            null => cap,
            >= 1 => (long)force.Value,
            _ => (long)(cap * force.Value),
        };

    internal static bool Keeps(TaskDefinition task, TaskIndexRow row, SampleSettings settings, IReadOnlySet<long>? subjects)
    {
        if (subjects is not null ? !subjects.Contains(row.SubjectId) : !InRatioPart(row.SubjectId, settings))
        {
            return false;
        }

        var length = row.ContextLength;
        if (length <= settings.ContextMin || length >= settings.ContextMax)
        {
            return false;
        }

        if (settings.AdmissionsRule && AdmissionRuleTasks.Contains(task.Name) && row.AdmissionsId is { } a && a <= row.ContextBegin)
        {
            return false;
        }

        return task.Name != "chartevents" || row.Target.Count < settings.ChartLabelLimit;
    }

    /// <summary>
    /// Writes the subjects of the index (the union of every task's subject index) that the split keeps, ascending,
    /// one per line; returns how many.
    /// </summary>
    private static long WriteSubjectsInPart(SampleSettings settings, HashSet<long>? subjects, string path)
    {
        var all = new SortedSet<long>();
        var record = new byte[TaskIndexLayout.SubjectRecordSize];
        foreach (var file in Directory.EnumerateFiles(settings.IndexDirectory, "*" + TaskIndexLayout.SubjectFileSuffix))
        {
            using var fs = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            while (fs.ReadAtLeast(record, record.Length, throwOnEndOfStream: false) == record.Length)
            {
                all.Add(System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(record));
            }
        }

        var kept = all.Where(s => subjects is not null ? subjects.Contains(s) : InRatioPart(s, settings)).ToList();
        AtomicFile.WriteAllText(path, string.Concat(kept.Select(s => s.ToString(CultureInfo.InvariantCulture) + "\n")));
        return kept.Count;
    }

    private static bool InRatioPart(long subjectId, SampleSettings settings)
    {
        if (settings.TestRatio is not { } ratio)
        {
            return true;
        }

        var isTest = StableRandom.Uniform(settings.Seed, "split:" + subjectId.ToString(CultureInfo.InvariantCulture)) < ratio;
        return isTest == (settings.Split == SplitPart.Test);
    }

    private async Task<List<long>> ChooseAsync(TaskDefinition task, string file, long cap, SampleSettings settings, IReadOnlySet<long>? subjects, CancellationToken cancellationToken)
    {
        var n = TargetCount(cap, settings.ForceTaskNum);
        var rng = new StableRandom(settings.Seed, "sample:" + task.Name);
        var balance = settings.BalanceForce && task.IsRisk;
        var weighted = settings.BalanceSample || task.IsRisk || WeightedTasks.Contains(task.Name);
        var all = new List<long>();
        var byLabel = new SortedDictionary<string, List<(long Line, double Key)>>(StringComparer.Ordinal);
        var heap = new PriorityQueue<long, double>();
        long eligible = 0;
        await foreach (var line in JsonlReader.ReadAsync<TaskIndexRow>(file, TasksJson.Context.Options, cancellationToken).WithCancellation(cancellationToken))
        {
            var row = line.Value;
            if (!Keeps(task, row, settings, subjects))
            {
                continue;
            }

            eligible++;
            // Efraimidis-Spirakis keys: the n largest u^(1/w) are a weighted sample without replacement;
            // uniform sampling is the same with w = 1. One draw per eligible row keeps the stream deterministic.
            var u = rng.NextDouble();
            var w = weighted && !balance ? Math.Max(row.TargetWeight, 1e-12) : 1.0;
            var key = Math.Log(Math.Max(u, double.Epsilon)) / w;
            if (balance)
            {
                var label = row.Target.Count > 0 ? row.Target[0] : string.Empty;
                if (!byLabel.TryGetValue(label, out var list))
                {
                    byLabel[label] = list = [];
                }

                list.Add((line.LineNumber, key));
            }
            else
            {
                all.Add(line.LineNumber);
                if (n > 0)
                {
                    heap.Enqueue(line.LineNumber, key);
                    if (heap.Count > n)
                    {
                        heap.Dequeue();
                    }
                }
            }
        }

        List<long> chosen;
        if (n <= 0)
        {
            chosen = [];
        }
        else if (eligible <= n)
        {
            chosen = balance ? [.. byLabel.Values.SelectMany(l => l.Select(x => x.Line))] : all;
        }
        else if (balance)
        {
            var perLabel = n / Math.Max(1, byLabel.Count);
            chosen = [];
            foreach (var (label, list) in byLabel)
            {
                if (list.Count <= perLabel)
                {
                    LogMessages.BalanceShort(_logger, task.Name, label, list.Count, perLabel);
                    chosen.AddRange(list.Select(x => x.Line));
                }
                else
                {
                    chosen.AddRange(list.OrderByDescending(x => x.Key).ThenBy(x => x.Line).Take((int)perLabel).Select(x => x.Line));
                }
            }
        }
        else
        {
            chosen = new List<long>(heap.Count);
            while (heap.Count > 0)
            {
                chosen.Add(heap.Dequeue());
            }
        }

        chosen.Sort();
        LogMessages.TaskSampled(_logger, task.Name, eligible, chosen.Count, n);
        return chosen;
    }

    private static async Task CopyLinesAsync(string file, List<long> chosen, StreamWriter writer, CancellationToken cancellationToken)
    {
        if (chosen.Count == 0)
        {
            return;
        }

        using var reader = new StreamReader(file, TextEncodings.Utf8Strict, detectEncodingFromByteOrderMarks: true, bufferSize: 1 << 16);
        long lineNumber = 0;
        var next = 0;
        while (next < chosen.Count && await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            lineNumber++;
            if (lineNumber == chosen[next])
            {
                await writer.WriteLineAsync(text.AsMemory(), cancellationToken);
                next++;
            }
        }
    }

    internal static Dictionary<string, long> LoadCaps(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-TSK-011", path, null, null, "the sampling config does not exist", fix: "Pass --config with a JSON object {\"task\": cap, ...}; examples are in src/EhrR1.Graph.Tasks/Configs");
        }

        Dictionary<string, long>? caps;
        try
        {
            caps = JsonSerializer.Deserialize(File.ReadAllText(path), TasksJson.Context.DictionaryStringInt64);
        }
        catch (JsonException ex)
        {
            throw new InputDataException("EHR-TSK-012", path, ex.LineNumber + 1, ex.Path, "the sampling config is not valid", expected: "a JSON object mapping task names to non-negative integer caps", found: "a JSON error", innerException: ex);
        }

        if (caps is null)
        {
            throw new InputDataException("EHR-TSK-012", path, 1, null, "the sampling config is JSON null", expected: "a JSON object mapping task names to caps");
        }

        var problems = new List<string>();
        foreach (var (task, cap) in caps)
        {
            if (TaskCatalog.Find(task) is null)
            {
                problems.Add($"{path}: unknown task \"{task}\". Known tasks: {string.Join(", ", TaskCatalog.All.Select(t => t.Name))}.");
            }

            if (cap < 0)
            {
                problems.Add($"{path}: the cap of \"{task}\" is {cap}; caps must be ≥ 0.");
            }
        }

        StageConfigurationException.ThrowIfAny(problems);
        return caps;
    }

    internal static HashSet<long> LoadSubjects(string path)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-TSK-013", path, null, null, "the subject list does not exist", fix: "Pass --subjects with one subject id per line");
        }

        var set = new HashSet<long>();
        long lineNumber = 0;
        foreach (var raw in File.ReadLines(path))
        {
            lineNumber++;
            var text = raw.Split(',', 2)[0].Trim().Trim('"');
            if (text.Length == 0)
            {
                continue;
            }

            if (long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                set.Add(id);
            }
            else if (lineNumber > 1)
            {
                throw new InputDataException("EHR-TSK-014", path, lineNumber, "subject_id", "the line is not a subject id", expected: "an integer subject id (a non-numeric first line is read as a header)", found: "a non-integer value of " + text.Length.ToString(CultureInfo.InvariantCulture) + " characters");
            }
        }

        return set;
    }
}
