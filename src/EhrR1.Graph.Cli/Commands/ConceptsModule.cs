using System.CommandLine;
using System.Globalization;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Trajectories.Store;
using EhrR1.Graph.Umls.Matching;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>
/// <c>ehr-graph concepts extract | samples</c>: the concepts of every event (task labels, UMLS concepts in free text,
/// CUI links), and the concepts of each sampled decision-making instance for evidence search.
/// </summary>
internal sealed class ConceptsModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var group = tree.Group("concepts", "Concepts per event (structured labels, UMLS concepts in free text) and per sample.");
        group.Subcommands.Add(Extract(context));
        group.Subcommands.Add(Samples(context));
    }

    private static Command Extract(CliContext context)
    {
        var store = new Option<string>("--store") { Description = "Trajectory store from `ehr-graph ingest`", Required = true };
        var index = new Option<string>("--index") { Description = "UMLS matcher index from `ehr-graph umls build-index`", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder (events.jsonl, manifest.json), written atomically", Required = true };
        var threads = new Option<int>("--threads") { Description = "Patients processed in parallel", DefaultValueFactory = _ => Environment.ProcessorCount };
        var batch = new Option<int>("--batch-size") { Description = "Patients per ordered batch; bounds memory", DefaultValueFactory = _ => 64 };
        var noLinks = new Option<bool>("--no-links") { Description = "Do not link structured concepts to CUIs (default: link with the resolver)" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output folder" };
        var o = UmlsModule.MatcherOptions();
        var cmd = new Command("extract", "Per event: the task labels (structured concepts), every UMLS concept span of its free text (notes, admission info), and a CUI for each structured concept the resolver links.")
        {
            store, index, output, threads, batch, noLinks, force, o.Similarity, o.Threshold, o.Window, o.MinMatch, o.Overlap, o.AllSpans, o.Types, o.Upstream, o.MaxCandidates,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var matcherSettings = UmlsModule.ReadMatcherSettings(parse, o);
            var settings = new ConceptExtractionSettings
            {
                OutputDirectory = parse.GetValue(output)!,
                Parallelism = parse.GetValue(threads),
                BatchSize = parse.GetValue(batch),
                Force = parse.GetValue(force),
                Describe = new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["store"] = Path.GetFullPath(parse.GetValue(store)!),
                    ["index"] = Path.GetFullPath(parse.GetValue(index)!),
                    ["similarity"] = parse.GetValue(o.Similarity),
                    ["threshold"] = matcherSettings.Threshold.ToString(CultureInfo.InvariantCulture),
                    ["window"] = matcherSettings.Window.ToString(CultureInfo.InvariantCulture),
                    ["semantic_types"] = parse.GetValue(o.Types),
                    ["links"] = parse.GetValue(noLinks) ? "off" : "on",
                },
            };
            StageConfigurationException.ThrowIfAny(settings.Validate());

            // Open both inputs before anything is written: a missing store or index fails with nothing on disk.
            using var trajectories = TrajectoryStore.Open(parse.GetValue(store)!);
            using var umls = UmlsIndex.Open(parse.GetValue(index)!);
            var matcher = new UmlsMatcher(umls, matcherSettings);
            using var resolver = new UmlsResolver(umls, matcherSettings with { AcceptedSemanticTypes = null });
            var stage = new ConceptExtractionStage(new ConceptExtractor(matcher, parse.GetValue(noLinks) ? null : resolver));
            var report = await context.CreateProgress(ConceptExtractionStage.StageName).RunAsync(progress =>
                Task.Run(() => stage.Run(trajectories, settings, progress, ct), ct));
            context.WriteReport(report);
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Samples(CliContext context)
    {
        var samples = new Option<string>("--samples") { Description = "Sampled task instances from `ehr-graph tasks sample` (JSONL)", Required = true };
        var concepts = new Option<string>("--concepts") { Description = "Output folder of `ehr-graph concepts extract` (events.jsonl)", Required = true };
        var output = new Option<string>("--out") { Description = "Output JSONL for `evidence search --samples` (written atomically, OUT.manifest.json beside it)", Required = true };
        var allTasks = new Option<bool>("--all-tasks") { Description = "Also write risk and other scalar-label samples (empty targets), for `eval baseline --kind graph`" };
        var cmd = new Command("samples", "Per decision-making sample: its target concepts, the concepts its input shows (history), the hidden ones, and their CUIs.")
        {
            samples, concepts, output, allTasks,
        };
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new SampleConceptsSettings
            {
                SamplesPath = parse.GetValue(samples)!,
                ConceptsDirectory = parse.GetValue(concepts)!,
                OutputPath = parse.GetValue(output)!,
                AllTasks = parse.GetValue(allTasks),
            };
            var report = await context.RunStageAsync(new SampleConceptsStage(), settings, ct);
            context.WriteReport(report);
            return ExitCodes.Success;
        });
        return cmd;
    }
}
