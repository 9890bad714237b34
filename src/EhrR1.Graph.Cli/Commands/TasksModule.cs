using System.CommandLine;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Export;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Sampling;
using EhrR1.Graph.Trajectories.Rendering;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph tasks index|sample|export</c>: the 46 EHR-Bench tasks (docs/tasks.md).</summary>
internal sealed class TasksModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var group = tree.Group("tasks", "EHR-Bench tasks: index every task instance, sample, export EHR-Bench / EHR-Ins records.");
        group.Subcommands.Add(IndexCommand(context));
        group.Subcommands.Add(SampleCommand(context));
        group.Subcommands.Add(ExportCommand(context));
    }

    private static Command IndexCommand(CliContext context)
    {
        var store = new Option<DirectoryInfo>("--store") { Description = "Trajectory store folder (from 'ehr-graph ingest').", Required = true }.AcceptExistingOnly();
        var output = new Option<string>("--out") { Description = "Output folder of the task index (replaced atomically).", Required = true };
        var window = new Option<string>("--window") { Description = "Context window and instance rules: contiguous (never crosses into another admission) or upstream (upstream's index: smallest same-admission index, may include other admissions' events; no risk instance whose context is its anchor alone; hcpcsevents never begins or ends a window; target_weight = 1 / mean label count).", DefaultValueFactory = _ => "contiguous" };
        window.AcceptOnlyFromAmong("contiguous", "upstream");
        var hours = new Option<double>("--window-hours") { Description = "Context window length in hours.", DefaultValueFactory = _ => 24 };
        var tasks = new Option<string?>("--task") { Description = "Comma-separated task names to index (default: all 46)." };
        var force = new Option<bool>("--force") { Description = "Overwrite a non-empty output folder." };
        var cmd = new Command("index", "Enumerate every task instance of every patient: target, 24-hour context window, admission and last-discharge references, labels, target_weight.");
        foreach (var o in new Option[] { store, output, window, hours, tasks, force })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new TaskIndexSettings
            {
                StorePath = parse.GetValue(store)!.FullName,
                OutputDirectory = parse.GetValue(output)!,
                WindowMode = parse.GetValue(window) == "upstream" ? ContextWindowMode.Upstream : ContextWindowMode.Contiguous,
                WindowHours = parse.GetValue(hours),
                Tasks = ParseTasks(parse.GetValue(tasks)),
                Force = parse.GetValue(force),
            };
            using var loggers = context.CreateLoggerFactory();
            using var trajectories = TrajectoryStore.Open(settings.StorePath);
            var stage = new TaskIndexBuilder(loggers.CreateLogger<TaskIndexBuilder>());
            var report = await context.CreateProgress("tasks index").RunAsync(p => stage.RunAsync(trajectories, settings, p, ct));
            context.WriteReport(report);
            return 0;
        });
        return cmd;
    }

    private static Command SampleCommand(CliContext context)
    {
        var index = new Option<DirectoryInfo>("--index") { Description = "Task index folder (from 'ehr-graph tasks index').", Required = true }.AcceptExistingOnly();
        var config = new Option<FileInfo>("--config") { Description = "JSON object {\"task\": cap}; only these tasks are sampled (examples: src/EhrR1.Graph.Tasks/Configs).", Required = true }.AcceptExistingOnly();
        var output = new Option<string>("--out") { Description = "Output JSONL of sampled index rows (a manifest is written beside it).", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed.", DefaultValueFactory = _ => 42 };
        var forceNum = new Option<double?>("--force-task-num") { Description = "≥ 1: this many samples for every task; < 1: this fraction of each cap (default: the caps)." };
        var balanceForce = new Option<bool>("--balance-force") { Description = "Risk tasks: the same number of samples per label (yes/no)." };
        var balanceSample = new Option<bool>("--balance-sample") { Description = "Weighted sampling by target_weight for every task (default: risk tasks, chartevents, emar, next_event only)." };
        var contextMin = new Option<int>("--context-min") { Description = "Keep contexts longer than this many events.", DefaultValueFactory = _ => 10 };
        var contextMax = new Option<int>("--context-max") { Description = "Keep contexts shorter than this many events.", DefaultValueFactory = _ => 100 };
        var chartLimit = new Option<int>("--chart-label-limit") { Description = "chartevents: keep targets with fewer labels than this.", DefaultValueFactory = _ => 10 };
        var noAdmissionsRule = new Option<bool>("--no-admissions-rule") { Description = "Turn off the upstream rule for procedures/diagnoses tasks (admissions_id absent or > context_begin)." };
        var subjects = new Option<FileInfo>("--subjects") { Description = "Keep only these subjects (one id per line, or the first CSV column)." }.AcceptExistingOnly();
        var subjectsOut = new Option<string?>("--subjects-out") { Description = "Also write the subject ids of the chosen part (every index subject the split keeps), one per line, e.g. the training subjects for `graph cooccur --train-subjects`." };
        var ratio = new Option<double?>("--test-ratio") { Description = "Split subjects by a seeded hash: this share goes to the test part." };
        var split = new Option<string>("--split") { Description = "With --test-ratio: the part to keep, train or test.", DefaultValueFactory = _ => "train" };
        split.AcceptOnlyFromAmong("train", "test");
        var force = new Option<bool>("--force") { Description = "Overwrite the output file." };
        var cmd = new Command("sample", "Filter and sample the task index (per-task caps, context bounds, balanced/weighted sampling, subject split), seeded.");
        foreach (var o in new Option[] { index, config, output, seed, forceNum, balanceForce, balanceSample, contextMin, contextMax, chartLimit, noAdmissionsRule, subjects, subjectsOut, ratio, split, force })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new SampleSettings
            {
                IndexDirectory = parse.GetValue(index)!.FullName,
                ConfigPath = parse.GetValue(config)!.FullName,
                OutputFile = parse.GetValue(output)!,
                Seed = parse.GetValue(seed),
                ForceTaskNum = parse.GetValue(forceNum),
                BalanceForce = parse.GetValue(balanceForce),
                BalanceSample = parse.GetValue(balanceSample),
                ContextMin = parse.GetValue(contextMin),
                ContextMax = parse.GetValue(contextMax),
                ChartLabelLimit = parse.GetValue(chartLimit),
                AdmissionsRule = !parse.GetValue(noAdmissionsRule),
                SubjectsFile = parse.GetValue(subjects)?.FullName,
                TestRatio = parse.GetValue(ratio),
                SubjectsOutputFile = parse.GetValue(subjectsOut),
                Split = parse.GetValue(split) == "test" ? SplitPart.Test : SplitPart.Train,
                Force = parse.GetValue(force),
            };
            using var loggers = context.CreateLoggerFactory();
            var stage = new TaskSampler(loggers.CreateLogger<TaskSampler>());
            var report = await context.CreateProgress("tasks sample").RunAsync(p => stage.RunAsync(settings, p, ct));
            context.WriteReport(report);
            return 0;
        });
        return cmd;
    }

    private static Command ExportCommand(CliContext context)
    {
        var samples = new Option<FileInfo>("--samples") { Description = "Sampled index rows (from 'ehr-graph tasks sample', or a {task}.jsonl of the index).", Required = true }.AcceptExistingOnly();
        var store = new Option<DirectoryInfo>("--store") { Description = "Trajectory store folder the index was built from.", Required = true }.AcceptExistingOnly();
        var format = new Option<string>("--format") { Description = "ehr-bench (idx, sample_id, instruction, input, output, candidates, task_info) or ehr-ins (chat messages).", Required = true };
        format.AcceptOnlyFromAmong("ehr-bench", "ehr-ins");
        var output = new Option<string>("--out") { Description = "Output JSONL (a manifest is written beside it).", Required = true };
        var index = new Option<DirectoryInfo>("--index") { Description = "Task index folder for decision-task candidates (default: the index named in the samples manifest)." }.AcceptExistingOnly();
        var seed = new Option<int>("--seed") { Description = "Seed of the candidate draws.", DefaultValueFactory = _ => 42 };
        var maxCandidates = new Option<int>("--max-candidates") { Description = "Candidate list size of decision tasks.", DefaultValueFactory = _ => 100 };
        var keepEmpty = new Option<bool>("--keep-empty-parts") { Description = "Upstream layout: keep empty parts (no last discharge, no admission record) as blank runs in the input." };
        var instructions = new Option<string>("--instructions") { Description = "Task-table text: corrected (our wording of the risk questions) or upstream (upstream's 46 instructions verbatim, typos included, and its target_key: eventtype for transfers, null for risk tasks).", DefaultValueFactory = _ => "corrected" };
        instructions.AcceptOnlyFromAmong("corrected", "upstream");
        var upstreamValues = new Option<bool>("--upstream-values") { Description = "Render values as upstream's pandas text (15.0, nan for N/A, pandas' float parsing) instead of the source text." };
        var force = new Option<bool>("--force") { Description = "Overwrite the output file." };
        var workers = new Option<int>("--threads", "--workers") { Description = "Parallel render workers (--workers is the old name); the output is the same for any number.", DefaultValueFactory = _ => Math.Max(1, Environment.ProcessorCount) };
        var chunkSize = new Option<int>("--chunk-size") { Description = "Samples per chunk: each patient's blocks are decoded once per chunk; only the chunk's index rows are held in memory.", DefaultValueFactory = _ => 65536 };
        var cmd = new Command("export", "Render samples into EHR-Bench JSONL or EHR-Ins chat records (loadable by Hugging Face datasets/TRL).");
        foreach (var o in new Option[] { samples, store, format, output, index, seed, maxCandidates, keepEmpty, instructions, upstreamValues, workers, chunkSize, force })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new ExportSettings
            {
                SamplesFile = parse.GetValue(samples)!.FullName,
                StorePath = parse.GetValue(store)!.FullName,
                IndexDirectory = parse.GetValue(index)?.FullName,
                Format = parse.GetValue(format) == "ehr-ins" ? ExportFormat.EhrIns : ExportFormat.EhrBench,
                OutputFile = parse.GetValue(output)!,
                Seed = parse.GetValue(seed),
                MaxCandidates = parse.GetValue(maxCandidates),
                KeepEmptyParts = parse.GetValue(keepEmpty),
                Instructions = parse.GetValue(instructions) == "upstream" ? InstructionStyle.Upstream : InstructionStyle.Corrected,
                UpstreamValues = parse.GetValue(upstreamValues),
                Workers = parse.GetValue(workers),
                ChunkSize = parse.GetValue(chunkSize),
                Force = parse.GetValue(force),
            };
            using var loggers = context.CreateLoggerFactory();
            using var trajectories = TrajectoryStore.Open(settings.StorePath);
            var stage = new SampleExporter(loggers.CreateLogger<SampleExporter>());
            var report = await context.CreateProgress("tasks export").RunAsync(p => stage.RunAsync(trajectories, settings.UpstreamValues ? EventRenderer.RenderUpstreamValues : EventRenderer.Render, settings, p, ct));
            context.WriteReport(report);
            return 0;
        });
        return cmd;
    }

    /// <summary>The --task names; an unknown (misspelt) name is an error listing the valid ones, not a silently empty index.</summary>
    internal static HashSet<string>? ParseTasks(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        var names = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet(StringComparer.Ordinal);
        var known = TaskCatalog.All.Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        var unknown = names.Where(n => !known.Contains(n)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            throw new EhrR1.Graph.Core.Errors.StageConfigurationException(
                $"--task: unknown task name(s) {string.Join(", ", unknown)}. Valid names: {string.Join(", ", known.Order(StringComparer.Ordinal))}.");
        }

        return names;
    }
}
