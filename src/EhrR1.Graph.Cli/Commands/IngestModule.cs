using System.CommandLine;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Trajectories.Download;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Rendering;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph ingest</c>, <c>ehr-graph render</c> and <c>ehr-graph download-demo</c>.</summary>
internal sealed class IngestModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        tree.Root.Subcommands.Add(IngestCommand(context));
        tree.Root.Subcommands.Add(RenderCommand(context));
        tree.Root.Subcommands.Add(DownloadCommand(context));
    }

    /// <summary>Parses <c>module/table=PATH</c> pairs.</summary>
    internal static Dictionary<string, string> ParseExtraTables(IEnumerable<string>? values)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var v in values ?? [])
        {
            var eq = v.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || eq == v.Length - 1)
            {
                throw new StageConfigurationException($"--extra-table '{v}': expected module/table=PATH, e.g. icu/chartevents=data/chartevents.csv.gz.");
            }

            d[v[..eq]] = v[(eq + 1)..];
        }

        return d;
    }

    internal static string ResolveMimic(string? value) =>
        value ?? DataLocations.FindMimicDemo()
        ?? throw new StageConfigurationException($"--mimic was not given and the MIMIC-IV demo was not found (set {DataLocations.MimicVariable} or {DataLocations.DataRootVariable}, or run ehr-graph download-demo --out DIR).");

    private static Command IngestCommand(CliContext context)
    {
        var cmd = new Command("ingest", "Read a MIMIC-IV release (hosp/, icu/, ed/, note/) into a trajectory store.");
        var mimic = new Option<string?>("--mimic") { Description = "MIMIC-IV release folder (default: $EHRR1_MIMIC, else the demo under the shared data folder)" };
        var output = new Option<string>("--out") { Description = "Trajectory store folder to write", Required = true };
        var force = new Option<bool>("--force") { Description = "Rebuild even if the store is up to date" };
        var ccs = new Option<string?>("--ccs-map") { Description = "CCS map CSV: kind,icd_version,icd_code,ccs_title (kind = diagnoses|procedures); default none" };
        var atc = new Option<string?>("--atc-map") { Description = "ATC map CSV: ndc,atc_name; default none" };
        var extra = new Option<string[]>("--extra-table") { Description = "Read a table from another file: module/table=PATH (repeatable), e.g. icu/chartevents=PATH", AllowMultipleArgumentsPerToken = false };
        var workers = new Option<int>("--threads", "--workers") { Description = "Parallel table readers (--workers is the old name)", DefaultValueFactory = _ => 2 };
        var buffer = new Option<int>("--sort-buffer-mb") { Description = "Total sort buffer in MiB; bounds memory", DefaultValueFactory = _ => 512 };
        foreach (var o in new Option[] { mimic, output, force, ccs, atc, extra, workers, buffer })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parseResult, ct) =>
        {
            var settings = new IngestSettings(ResolveMimic(parseResult.GetValue(mimic)), parseResult.GetValue(output)!)
            {
                Force = parseResult.GetValue(force),
                CcsMapPath = parseResult.GetValue(ccs),
                AtcMapPath = parseResult.GetValue(atc),
                ExtraTables = ParseExtraTables(parseResult.GetValue(extra)),
                Workers = parseResult.GetValue(workers),
                SortBufferBytes = (long)parseResult.GetValue(buffer) << 20,
            };
            using var lf = context.CreateLoggerFactory();
            var stage = new IngestStage(lf.CreateLogger<IngestStage>());
            var result = await context.CreateProgress("ingest").RunAsync(p => stage.RunAsync(settings, p, ct));
            context.WriteReport(new StageReport(IngestStage.StageName, result.ElapsedSeconds, result.Counts, [result.StorePath]));
            return 0;
        });
        return cmd;
    }

    private static Command RenderCommand(CliContext context)
    {
        var cmd = new Command("render", "Print a patient's events (or a window of them) as the markdown EHR input.");
        var store = new Option<string>("--store") { Description = "Trajectory store folder", Required = true };
        var subject = new Option<long>("--subject") { Description = "subject_id", Required = true };
        var from = new Option<int>("--from") { Description = "First event index", DefaultValueFactory = _ => 0 };
        var to = new Option<int?>("--to") { Description = "End event index, exclusive (default: all)" };
        var upstreamValues = new Option<bool>("--upstream-values") { Description = "Render values as upstream's pandas text (15.0, nan for N/A, pandas' float parsing) instead of the source text." };
        foreach (var o in new Option[] { store, subject, from, to, upstreamValues })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction((parseResult, ct) =>
        {
            using var s = TrajectoryStore.Open(parseResult.GetValue(store)!);
            var id = parseResult.GetValue(subject);
            if (!s.TryRead(id, out var t))
            {
                throw new InputDataException("EHR-STORE-010", s.Path, null, "subject_id", $"Subject {id} is not in the store",
                    "one of its " + s.SubjectIds.Count + " subject ids", fix: "Pick a subject_id from the store (first: " + (s.SubjectIds.Count > 0 ? s.SubjectIds[0] : 0) + ")");
            }

            context.Output.WriteLine(EventRenderer.RenderWindow(t, parseResult.GetValue(from), parseResult.GetValue(to) ?? t.Events.Count, upstreamValues: parseResult.GetValue(upstreamValues)));
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static Command DownloadCommand(CliContext context)
    {
        var cmd = new Command("download-demo", "Download the open MIMIC-IV demo 2.2 from PhysioNet and verify every file's SHA-256.");
        var output = new Option<string>("--out") { Description = "Folder to write the release into", Required = true };
        var baseUrl = new Option<string>("--base-url") { Description = "Release URL", DefaultValueFactory = _ => DemoDownloader.DefaultBaseUrl };
        var force = new Option<bool>("--force") { Description = "Replace an existing, complete folder" };
        foreach (var o in new Option[] { output, baseUrl, force })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parseResult, ct) =>
        {
            using var lf = context.CreateLoggerFactory();
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var downloader = new DemoDownloader(http, lf.CreateLogger<DemoDownloader>());
            var result = await context.CreateProgress("download-demo").RunAsync(p =>
                downloader.RunAsync(new Uri(parseResult.GetValue(baseUrl)!), parseResult.GetValue(output)!, parseResult.GetValue(force), p, ct));
            context.WriteReport(new StageReport("download-demo", result.ElapsedSeconds, result.Counts, [result.Folder]));
            return 0;
        });
        return cmd;
    }
}
