using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Cli.Run;
using EhrR1.Graph.Core;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Trajectories.Ingest;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>
/// <c>ehr-graph run --out RUNDIR</c>: the chain on the embedded defaults, one stage command per step, into one run
/// folder (store/, tasks/, vocab/, concepts/, graph/, evidence/, reasoning/, corpus/, model/, model-reasoning/, model-grpo/, eval/, report/). Each step is the same command a user can run
/// alone; a step whose arguments and inputs are unchanged since its last success is skipped; <c>run.json</c>
/// (<c>--config</c>) overrides any step's options or turns a step off.
/// </summary>
internal sealed class RunModule : ICliModule
{
    /// <summary>Chartevents of 10 demo patients, shipped beside the demo (the demo itself lacks icu/chartevents).</summary>
    internal const string DemoChartevents = "mimic-iv-demo-2.2-chartevents-subset";

    public void Register(CommandTree tree, CliContext context)
    {
        var cmd = new Command("run", "Run the pipeline into one run folder: ingest, task index, samples, EHR-Bench/EHR-Ins export, open vocabulary and its index, concepts, co-occurrence, the embedded graph, evidence paths and attrition, reasoning prompts and Batch files, a tiny model trained on CPU through upstream's curriculum (stage 1 on EHR-Ins, stage 2 on the reasoning corpus when there is one, GRPO) and its evaluation, and the report. Up-to-date steps are skipped.");
        var output = new Option<string>("--out") { Description = "Run folder (e.g. runs/demo)", Required = true };
        var mimic = new Option<string?>("--mimic") { Description = "MIMIC-IV release folder (default: $EHRR1_MIMIC, else the demo under the shared data folder, plus its chartevents subset)" };
        var extra = new Option<string[]>("--extra-table") { Description = "module/table=PATH read from another file (repeatable)" };
        var config = new Option<FileInfo?>("--config") { Description = "run.json with per-step option overrides: {\"steps\": {\"train-domain\": {\"max-steps\": 100}, \"reason\": {\"enabled\": false}}}" };
        var force = new Option<bool>("--force") { Description = "Re-run every step even when up to date" };
        var trainSteps = new Option<int>("--train-steps") { Description = "Optimizer steps of stage 1 (train-domain) of the tiny model", DefaultValueFactory = _ => 60 };
        var neo4j = new Option<string?>("--neo4j") { Description = "Neo4j HTTP URL (e.g. http://127.0.0.1:7474): also load the graph and the thinking graphs there (credentials: EHRR1_NEO4J_USER / EHRR1_NEO4J_PASSWORD)" };
        foreach (var o in new Option[] { output, mimic, extra, config, force, trainSteps, neo4j })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parseResult, ct) =>
        {
            var runDir = Path.GetFullPath(parseResult.GetValue(output)!);
            var runConfig = parseResult.GetValue(config) is { } cfg ? RunConfig.Load(cfg.FullName) : RunConfig.Empty;
            var steps = BuildSteps(runDir, parseResult.GetValue(mimic), parseResult.GetValue(extra), parseResult.GetValue(trainSteps), runConfig, parseResult.GetValue(neo4j));

            // every step's options against its real command, before the first step runs: all problems at once, exit 1
            StageConfigurationException.ThrowIfAny(RunConfigValidator.Validate(runConfig, steps, CliApp.BuildRoot(context)));
            Directory.CreateDirectory(runDir);
            var verbose = parseResult.GetValue(CliApp.VerboseOption);
            var clock = Stopwatch.StartNew();
            IReadOnlyList<StepOutcome> outcomes;
            var exit = ExitCodes.Success;
            try
            {
                outcomes = await new PipelineRunner(context, runDir, parseResult.GetValue(force), verbose).RunAsync(steps, ct);
            }
            catch (StepFailedException ex)
            {
                outcomes = ex.Outcomes;
                exit = ex.ExitCode;
            }

            // name the report only when this run wrote it or found it up to date (a failed run stops before the report step)
            var written = Path.Combine(runDir, "report", "index.html");
            var reportPath = outcomes.Any(o => o.Step == "report" && o.Status is "ran" or "up to date") && File.Exists(written) ? written : null;

            var summary = new
            {
                run = runDir,
                elapsedSeconds = Math.Round(clock.Elapsed.TotalSeconds, 1),
                steps = outcomes.Select(o => new { step = o.Step, status = o.Status, elapsedSeconds = Math.Round(o.ElapsedSeconds, 1), counts = o.Counts, note = o.Note }),
                report = reportPath,
            };
            AtomicFile.WriteAllText(Path.Combine(runDir, "run-summary.json"), JsonSerializer.Serialize(summary, JsonDefaults.Indented) + "\n");
            context.Output.WriteLine(JsonSerializer.Serialize(summary, JsonDefaults.Indented));
            context.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"run {(exit == 0 ? "finished" : "stopped")} in {clock.Elapsed.TotalSeconds:F0} s: {outcomes.Count(o => o.Status == "ran")} ran, {outcomes.Count(o => o.Status == "up to date")} up to date, {outcomes.Count(o => o.Status == "disabled")} disabled, {outcomes.Count(o => o.Status == "failed")} failed.") + (reportPath is null ? " No report was written." : " Report: " + reportPath));
            return exit;
        });
        tree.Root.Subcommands.Add(cmd);
    }

    internal static IReadOnlyList<PipelineStep> BuildSteps(string run, string? mimicArg, string[]? extraTables, int trainSteps, RunConfig config, string? neo4jUrl = null)
    {
        if (neo4jUrl is not null && !Uri.TryCreate(neo4jUrl, UriKind.Absolute, out _))
        {
            throw new StageConfigurationException($"--neo4j must be an absolute URL such as http://127.0.0.1:7474; got '{neo4jUrl}'.");
        }

        var mimic = IngestModule.ResolveMimic(mimicArg);
        var extras = IngestModule.ParseExtraTables(extraTables);
        if (mimicArg is null && !extras.ContainsKey("icu/chartevents") && DataLocations.FindDataset(DemoChartevents) is { } ce
            && IngestStage.FindCsv(ce, string.Empty, "chartevents") is { } cePath)
        {
            extras["icu/chartevents"] = cePath;
        }

        string R(params string[] parts) => Path.Combine([run, .. parts]);
        var bin = AppContext.BaseDirectory;
        var caps = Path.Combine(bin, "demo.json");
        var tiny = Path.Combine(bin, "Configs", "qwen3-tiny.json");
        var llmConfigured = !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("EHRR1_LLM_ENDPOINT"));

        // test samples per task for the model and both baselines (the same samples): 10 gives intervals that say
        // something (2 did not; most demo risk tasks hold 10 test samples) while the tiny model's CPU evaluation stays
        // a few minutes (about 3.5 s a sample on a loaded 2-core machine; 20 per task took over 20 minutes there)
        var evalPerTask = EvalSamplesPerTask.ToString(CultureInfo.InvariantCulture);

        var ingestArgs = new List<string> { "--out", R("store"), "--mimic", mimic, "--force" };
        foreach (var (table, path) in extras.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            ingestArgs.AddRange(["--extra-table", table + "=" + path]);
        }

        // Evidence search is knowledge-first (the default of `evidence search`): graded explanations over the vocabulary's
        // relations, never a co_occurs hop; {"evidence-search": {"search": "upstream", "graph-kind": "both"}} in run.json
        // restores the upstream search.
        var steps = new List<PipelineStep>
        {
            new("ingest", ["ingest"], ingestArgs, [mimic, .. extras.Values], ["store"]),
            new("tasks-index", ["tasks", "index"], ["--store", R("store"), "--out", R("tasks", "index"), "--force"], ["store"], [R("tasks", "index")]),
            new("tasks-sample-train", ["tasks", "sample"], ["--index", R("tasks", "index"), "--config", caps, "--test-ratio", "0.2", "--split", "train", "--out", R("tasks", "train.jsonl"), "--subjects-out", R("tasks", "train-subjects.txt"), "--force"], [R("tasks", "index"), caps], [R("tasks", "train.jsonl"), R("tasks", "train-subjects.txt")]),
            new("tasks-sample-test", ["tasks", "sample"], ["--index", R("tasks", "index"), "--config", caps, "--test-ratio", "0.2", "--split", "test", "--out", R("tasks", "test.jsonl"), "--force"], [R("tasks", "index"), caps], [R("tasks", "test.jsonl")]),
            new("export-bench-test", ["tasks", "export"], ["--samples", R("tasks", "test.jsonl"), "--store", R("store"), "--format", "ehr-bench", "--out", R("tasks", "ehr-bench-test.jsonl"), "--force"], [R("tasks", "test.jsonl"), "store"], [R("tasks", "ehr-bench-test.jsonl")]),
            new("export-bench-train", ["tasks", "export"], ["--samples", R("tasks", "train.jsonl"), "--store", R("store"), "--format", "ehr-bench", "--out", R("tasks", "ehr-bench-train.jsonl"), "--force"], [R("tasks", "train.jsonl"), "store"], [R("tasks", "ehr-bench-train.jsonl")]),
            new("export-ins-train", ["tasks", "export"], ["--samples", R("tasks", "train.jsonl"), "--store", R("store"), "--format", "ehr-ins", "--out", R("corpus", "ehr-ins-no-think.jsonl"), "--force"], [R("tasks", "train.jsonl"), "store"], [R("corpus", "ehr-ins-no-think.jsonl")]),
            new("vocab-sample", ["umls", "build-sample"], ["--out", R("vocab", "rrf"), "--force"], [], [R("vocab", "rrf")]),
            new("vocab-index", ["umls", "build-index"], ["--rrf", R("vocab", "rrf"), "--out", R("vocab", "index"), "--force"], [R("vocab", "rrf")], [R("vocab", "index")]),
            new("concepts-extract", ["concepts", "extract"], ["--store", R("store"), "--index", R("vocab", "index"), "--out", R("concepts"), "--force"], ["store", R("vocab", "index")], [R("concepts", "events.jsonl")]),
            new("graph-cooccur", ["graph", "cooccur"], ["--tasks", R("tasks", "index"), "--concepts", R("concepts"), "--train-subjects", R("tasks", "train-subjects.txt"), "--out", R("graph", "cooccur"), "--force"],
                [R("tasks", "index"), R("concepts", "events.jsonl"), R("tasks", "train-subjects.txt")], [R("graph", "cooccur")]),
            new("graph-build", ["graph", "build"], ["--cooccurrence", R("graph", "cooccur"), "--rrf", R("vocab", "rrf"), "--out", R("graph"), "--force"], [R("graph", "cooccur"), R("vocab", "rrf")], [R("graph", "graph.bin")]),
            new("concepts-samples", ["concepts", "samples"], ["--samples", R("tasks", "train.jsonl"), "--concepts", R("concepts"), "--out", R("evidence", "samples.jsonl")], [R("tasks", "train.jsonl"), R("concepts", "events.jsonl")], [R("evidence", "samples.jsonl")]),
            new("evidence-search", ["evidence", "search"], ["--samples", R("evidence", "samples.jsonl"), "--graph", R("graph"), "--cooccurrence", R("graph", "cooccur"), "--out", R("evidence", "evidence.jsonl")],
                [R("evidence", "samples.jsonl"), R("graph", "graph.bin"), R("graph", "cooccur")], [R("evidence", "evidence.jsonl")]),
            new("evidence-report", ["evidence", "report"], ["--evidence", R("evidence", "evidence.jsonl"), "--out", R("evidence")], [R("evidence", "evidence.jsonl")], [R("evidence", "attrition.md"), R("evidence", "quality.md")]),
            Neo4jStep(new("graph-load", ["graph", "load"], ["--graph", R("graph"), "--neo4j", neo4jUrl ?? string.Empty], [R("graph", "graph.bin")], []), neo4jUrl),
            Neo4jStep(new("evidence-neo4j", ["evidence", "neo4j"], ["--evidence", R("evidence", "evidence.jsonl"), "--neo4j", neo4jUrl ?? string.Empty], [R("evidence", "evidence.jsonl")], []), neo4jUrl),
            new("reason", ["reason"], llmConfigured
                    ? ["--samples", R("tasks", "ehr-bench-train.jsonl"), "--evidence", R("evidence", "evidence.jsonl"), "--out", R("reasoning")]
                    : ["--samples", R("tasks", "ehr-bench-train.jsonl"), "--evidence", R("evidence", "evidence.jsonl"), "--out", R("reasoning"), "--prepare-only"],
                [R("tasks", "ehr-bench-train.jsonl"), R("evidence", "evidence.jsonl")], [R("reasoning")]),
            new("eval", ["eval", "run"], ["--bench", R("tasks", "ehr-bench-test.jsonl"), "--checkpoint", R("model", "model"), "--out", R("eval"), "--max-per-task", evalPerTask, "--max-new-tokens", "16", "--max-prompt-tokens", "512", "--bootstrap", "200"],
                [R("tasks", "ehr-bench-test.jsonl"), R("model")], [R("eval")], CleanOutputs: true),

            // the frequency baseline on the same samples and metrics as the model's evaluation, beside it in the report
            new("eval-baseline", ["eval", "baseline"], ["--bench", R("tasks", "ehr-bench-test.jsonl"), "--train", R("tasks", "ehr-bench-train.jsonl"), "--out", R("eval-baseline"), "--max-per-task", evalPerTask, "--bootstrap", "200", "--no-plots"],
                [R("tasks", "ehr-bench-test.jsonl"), R("tasks", "ehr-bench-train.jsonl")], [R("eval-baseline", "result.json")]),

            // the graph baseline: what the knowledge graph alone predicts from each sample's history concepts
            new("concepts-samples-bench", ["concepts", "samples"], ["--all-tasks", "--samples", R("tasks", "train.jsonl"), "--concepts", R("concepts"), "--out", R("eval-graph-baseline", "train-concepts.jsonl")],
                [R("tasks", "train.jsonl"), R("concepts", "events.jsonl")], [R("eval-graph-baseline", "train-concepts.jsonl")]),
            new("concepts-samples-bench-test", ["concepts", "samples"], ["--all-tasks", "--samples", R("tasks", "test.jsonl"), "--concepts", R("concepts"), "--out", R("eval-graph-baseline", "test-concepts.jsonl")],
                [R("tasks", "test.jsonl"), R("concepts", "events.jsonl")], [R("eval-graph-baseline", "test-concepts.jsonl")]),
            new("eval-graph-baseline", ["eval", "baseline"], ["--kind", "graph", "--bench", R("tasks", "ehr-bench-test.jsonl"), "--train", R("tasks", "ehr-bench-train.jsonl"),
                    "--sample-concepts", R("eval-graph-baseline", "train-concepts.jsonl"), "--sample-concepts", R("eval-graph-baseline", "test-concepts.jsonl"),
                    "--cooccurrence", R("graph", "cooccur"), "--graph", R("graph"), "--out", R("eval-graph-baseline"), "--max-per-task", evalPerTask, "--bootstrap", "200", "--no-plots"],
                [R("tasks", "ehr-bench-test.jsonl"), R("tasks", "ehr-bench-train.jsonl"), R("eval-graph-baseline", "train-concepts.jsonl"), R("eval-graph-baseline", "test-concepts.jsonl"), R("graph", "cooccur"), R("graph", "graph.bin")],
                [R("eval-graph-baseline", "result.json")]),

            // the model and the baselines side by side (comparison.md and grouped bars), shown in the report
            new("eval-compare", ["eval", "compare"], [R("eval", "result.json"), R("eval-baseline", "result.json"), R("eval-graph-baseline", "result.json"), "--out", R("eval-compare")],
                [R("eval", "result.json"), R("eval-baseline", "result.json"), R("eval-graph-baseline", "result.json")], [R("eval-compare", "comparison.md")]),
        };

        // the training curriculum before eval: stage 1 → stage 2 (with a reasoning corpus) → GRPO, each from the previous checkpoint
        steps.InsertRange(steps.FindIndex(s => s.Name == "eval"), TrainingCurriculum.Steps(run, trainSteps, tiny, llmConfigured || File.Exists(TrainingCurriculum.ReasoningResults(run))));

        // run.json: per-step overrides and switches ("train", the one training step before the curriculum, is stage 1)
        config = config.Renamed(TrainingCurriculum.LegacyName, TrainingCurriculum.Domain);
        var unknown = config.StepNames.Where(n => steps.All(s => !string.Equals(s.Name, n, StringComparison.Ordinal))).ToList();
        if (unknown.Count > 0)
        {
            throw new StageConfigurationException($"run.json names unknown steps: {string.Join(", ", unknown)}. Known steps: {string.Join(", ", steps.Select(s => s.Name))}, report.");
        }

        var configured = steps.Select(s => s with
        {
            Arguments = config.Apply(s.Name, s.Arguments),
            Enabled = config.IsEnabled(s.Name, s.Enabled),
            DisabledReason = config.IsEnabled(s.Name, s.Enabled) || !s.Enabled ? s.DisabledReason : "turned off in run.json",
        }).ToList();

        configured = TrainingCurriculum.HandOver(configured, run);

        // comparing needs two results: it compares those of the evaluation steps that are on
        var compare = configured.FindIndex(s => s.Name == "eval-compare");
        if (compare >= 0 && configured[compare].Enabled)
        {
            configured[compare] = CompareWhatRuns(configured[compare], configured, R);
        }

        // The report always runs last, over whatever the run folder holds.
        configured.Add(new PipelineStep("report", ["report"], ["--run", run], [R(".state")], [R("report", "index.html")]));
        return configured;
    }

    /// <summary>Default test samples per task of the model's and the baselines' evaluation.</summary>
    internal const int EvalSamplesPerTask = 10;

    /// <summary>eval-compare over the results of the evaluation steps that are on; off when fewer than two are.</summary>
    private static PipelineStep CompareWhatRuns(PipelineStep compare, List<PipelineStep> steps, Func<string[], string> r)
    {
        string[] producers = ["eval", "eval-baseline", "eval-graph-baseline"];
        var on = producers.Where(n => steps.Any(s => s.Name == n && s.Enabled)).ToList();
        var off = producers.Except(on, StringComparer.Ordinal).ToList();
        if (on.Count < 2)
        {
            return compare with { Enabled = false, DisabledReason = string.Join(" and ", off) + " off" };
        }

        var results = off.Select(n => r([n, "result.json"])).ToHashSet(StringComparer.Ordinal);
        return compare with
        {
            Arguments = [.. compare.Arguments.Where(a => !results.Contains(a))],
            Inputs = [.. compare.Inputs.Where(a => !results.Contains(a))],
        };
    }

    /// <summary>A Neo4j step: on with <c>--neo4j URL</c>, otherwise left out with the reason shown in the summary.</summary>
    private static PipelineStep Neo4jStep(PipelineStep step, string? url) =>
        url is null ? step with { Enabled = false, DisabledReason = "no --neo4j URL" } : step;
}
