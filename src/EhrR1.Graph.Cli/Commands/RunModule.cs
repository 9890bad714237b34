using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Rendering;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging;

// One log line per step: argument evaluation cost is irrelevant.
#pragma warning disable CA1873

namespace EhrR1.Graph.Cli.Commands;

/// <summary>
/// <c>ehr-graph run --out RUNDIR</c>: the whole chain on one run folder, as a list of steps. Each step has a name,
/// an up-to-date check (its manifest against its inputs) and an action; later issues append their stages.
/// For now: <c>ingest</c> (RUNDIR/store) and <c>render-sample</c> (RUNDIR/render/sample.md).
/// </summary>
internal sealed class RunModule : ICliModule
{
    /// <summary>Chartevents of 10 demo patients, shipped beside the demo (the demo itself lacks icu/chartevents).</summary>
    internal const string DemoChartevents = "mimic-iv-demo-2.2-chartevents-subset";

    public void Register(CommandTree tree, CliContext context)
    {
        var cmd = new Command("run", "Run the pipeline into one run folder (store/, render/, ...); up-to-date steps are skipped.");
        var output = new Option<string>("--out") { Description = "Run folder", Required = true };
        var mimic = new Option<string?>("--mimic") { Description = "MIMIC-IV release folder (default: the demo under the shared data folder, plus its chartevents subset)" };
        var extra = new Option<string[]>("--extra-table") { Description = "module/table=PATH read from another file (repeatable)" };
        var force = new Option<bool>("--force") { Description = "Re-run every step (default false)" };
        foreach (var o in new Option[] { output, mimic, extra, force })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parseResult, ct) =>
        {
            var runDir = Path.GetFullPath(parseResult.GetValue(output)!);
            var mimicArg = parseResult.GetValue(mimic);
            var extras = IngestModule.ParseExtraTables(parseResult.GetValue(extra));
            if (mimicArg is null && !extras.ContainsKey("icu/chartevents") && DataLocations.FindDataset(DemoChartevents) is { } ce
                && IngestStage.FindCsv(ce, string.Empty, "chartevents") is { } cePath)
            {
                extras["icu/chartevents"] = cePath;
            }

            var run = new RunContext(runDir, IngestModule.ResolveMimic(mimicArg), extras, parseResult.GetValue(force));
            using var lf = context.CreateLoggerFactory();
            var log = lf.CreateLogger("run");
            var reports = new List<object>();
            var total = Stopwatch.StartNew();
            foreach (var step in Steps(context, lf))
            {
                var sw = Stopwatch.StartNew();
                var outcome = await step.Action(run, ct);
                log.LogInformation("Step {Step}: {Status} in {Seconds:F1} s.", step.Name, outcome.Status, sw.Elapsed.TotalSeconds);
                reports.Add(new { step = step.Name, status = outcome.Status, elapsedSeconds = Math.Round(sw.Elapsed.TotalSeconds, 3), outputs = outcome.Outputs, counts = outcome.Counts });
            }

            context.Output.WriteLine(JsonSerializer.Serialize(new { run = runDir, elapsedSeconds = Math.Round(total.Elapsed.TotalSeconds, 3), steps = reports }, JsonDefaults.Indented));
            return 0;
        });
        tree.Root.Subcommands.Add(cmd);
    }

    /// <summary>The steps in order. Each decides itself whether it is up to date (unless the run is forced).</summary>
    private static IEnumerable<RunStep> Steps(CliContext context, ILoggerFactory lf) =>
    [
        new RunStep("ingest", async (run, ct) =>
        {
            var settings = new IngestSettings(run.Mimic, run.Store) { Force = run.Force, ExtraTables = run.ExtraTables };
            var result = await context.CreateProgress("ingest").RunAsync(p => new IngestStage(lf.CreateLogger<IngestStage>()).RunAsync(settings, p, ct));
            return new StepOutcome(result.UpToDate ? "up-to-date" : "ran", [result.StorePath], result.Counts);
        }),
        new RunStep("render-sample", (run, ct) =>
        {
            var dir = Path.Combine(run.Directory, "render");
            var target = Path.Combine(dir, "sample.md");
            var manifestPath = Path.Combine(dir, "manifest.json");
            var storeManifest = Path.Combine(run.Store, "manifest.json");
            var input = FileFingerprint.Of(storeManifest);
            var previous = RunManifest.TryLoad(manifestPath);
            if (!run.Force && previous is not null && File.Exists(target) && previous.Inputs.Count == 1 && previous.Inputs[0] == input)
            {
                return Task.FromResult(new StepOutcome("up-to-date", [target], previous.Counts));
            }

            var sw = Stopwatch.StartNew();
            using var store = TrajectoryStore.Open(run.Store);
            var subject = store.SubjectIds[0];
            var trajectory = store.Read(subject);
            var to = Math.Min(trajectory.Events.Count, 30);
            var text = EventRenderer.RenderWindow(trajectory, 0, to, skipUnrendered: true);
            Directory.CreateDirectory(dir);
            AtomicFile.WriteAllText(target, text + "\n");
            var counts = new Dictionary<string, long>(StringComparer.Ordinal) { ["subject_id"] = subject, ["events"] = to, ["chars"] = text.Length };
            new RunManifest { Stage = "render-sample", Inputs = [input], Counts = counts, ElapsedSeconds = sw.Elapsed.TotalSeconds }.Save(manifestPath);
            ct.ThrowIfCancellationRequested();
            return Task.FromResult(new StepOutcome("ran", [target], counts));
        }),
    ];

    internal sealed record RunContext(string Directory, string Mimic, IReadOnlyDictionary<string, string> ExtraTables, bool Force)
    {
        public string Store => Path.Combine(Directory, "store");
    }

    internal sealed record StepOutcome(string Status, IReadOnlyList<string> Outputs, IReadOnlyDictionary<string, long> Counts);

    internal sealed record RunStep(string Name, Func<RunContext, CancellationToken, Task<StepOutcome>> Action);
}
