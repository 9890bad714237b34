using System.CommandLine;
using System.Globalization;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Knowledge.Graph;
using EhrR1.Graph.Neo4j.Browser;
using EhrR1.Graph.Neo4j.Http;
using EhrR1.Graph.Neo4j.Loading;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>
/// <c>ehr-graph graph cooccur | build | load | export-csv | show</c>: co-occurrence statistics, the embedded
/// knowledge graph, and its Neo4j loading (transactional over HTTP, or bulk CSV for neo4j-admin import).
/// </summary>
internal sealed class GraphModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var graph = tree.Group("graph", "The knowledge graph: co-occurrence statistics, the embedded store, Neo4j loading.");
        graph.Subcommands.Add(Cooccur(context));
        graph.Subcommands.Add(Build(context));
        graph.Subcommands.Add(Load(context));
        graph.Subcommands.Add(ExportCsv(context));
        graph.Subcommands.Add(Show(context));
        graph.Subcommands.Add(Guide(context));
    }

    /// <summary>Wraps a <see cref="KnowledgeGraph"/> as what the Neo4j loader reads: its term links (one row per Term
    /// node and concept, as the CSV export writes them). The fingerprint says so, so a checkpoint written when every
    /// term text was a row is not resumed by position.</summary>
    internal static GraphLoadSource LoadSource(KnowledgeGraph g, string fingerprint) =>
        new(fingerprint + ";term-links", g.ConceptCount, g.Concepts, g.TermLinkCount, g.TermLinks, g.CooccurrenceCount, g.Cooccurrences, g.UmlsRelationCount, g.UmlsRelations);

    /// <summary>The graph file inside a folder (or the file itself).</summary>
    internal static string GraphFile(string path) =>
        Directory.Exists(path) ? Path.Combine(path, KnowledgeGraphFile.FileName) : path;

    private static Command Cooccur(CliContext context)
    {
        var tasks = new Option<string>("--tasks") { Description = "Task index folder from `ehr-graph tasks index` ({task}.jsonl files)", Required = true };
        var concepts = new Option<string>("--concepts") { Description = "Output folder of `ehr-graph concepts extract` (events.jsonl)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder (pairs.jsonl, document_frequency.jsonl, tasks.jsonl, manifest.json)", Required = true };
        var train = new Option<string?>("--train-subjects") { Description = "File of training subject ids (one per line or first CSV column); counting uses only these subjects (default: every subject in the index)" };
        var minSupport = new Option<int>("--min-support") { Description = "Minimum document frequency of the history concept", DefaultValueFactory = _ => 5 };
        var threshold = new Option<double>("--threshold") { Description = "Keep pairs with lift strictly greater than this", DefaultValueFactory = _ => 5 };
        var topk = new Option<int>("--topk") { Description = "History concepts per target concept and sample, recorded for evidence search (0 = all)", DefaultValueFactory = _ => 20 };
        var only = new Option<string[]>("--task") { Description = "Count only these tasks (repeatable; default: every decision-making task in the index)" };
        var selfPairs = new Option<bool>("--upstream-self-pairs") { Description = "Upstream bug: also count pairs whose history concept equals the target" };
        var history = new Option<bool>("--upstream-history") { Description = "Upstream bug: history includes hidden (bid) events and, for admissions, the target admission" };
        var group0 = new Option<bool>("--upstream-text-group0") { Description = "Upstream behaviour: a note contributes only the candidates of its best span (default: the best term of every span)" };
        var parallelism = new Option<int>("--threads", "--parallelism") { Description = "Tasks counted in parallel (--parallelism is the old name)", DefaultValueFactory = _ => Environment.ProcessorCount };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output folder" };
        var cmd = new Command("cooccur", "Count target × history concept co-occurrence per decision-making task on the training split; keep pairs by min-support and lift.");
        foreach (var o in new Option[] { tasks, concepts, output, train, minSupport, threshold, topk, only, selfPairs, history, group0, parallelism, force })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new CooccurrenceStageSettings
            {
                TasksDirectory = parse.GetValue(tasks)!,
                ConceptsDirectory = parse.GetValue(concepts)!,
                OutputDirectory = parse.GetValue(output)!,
                TrainSubjectsPath = parse.GetValue(train),
                Force = parse.GetValue(force),
                Counting = new CooccurrenceSettings
                {
                    MinSupport = parse.GetValue(minSupport),
                    Threshold = parse.GetValue(threshold),
                    TopK = parse.GetValue(topk),
                    UpstreamSelfPairs = parse.GetValue(selfPairs),
                    UpstreamHistory = parse.GetValue(history),
                    UpstreamTextGroup0 = parse.GetValue(group0),
                    Parallelism = parse.GetValue(parallelism),
                    Tasks = parse.GetValue(only) is { Length: > 0 } list ? list.ToHashSet(StringComparer.Ordinal) : null,
                },
            };
            var report = await context.RunStageAsync(new CooccurrenceStage(), settings, ct);
            context.WriteReport(report);
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Build(CliContext context)
    {
        var cooccur = new Option<string?>("--cooccurrence", "--cooccur") { Description = "Output folder of `graph cooccur` (pairs.jsonl; --cooccur is the old name)" };
        var rrf = new Option<string?>("--rrf") { Description = "Folder with MRCONSO.RRF, MRSTY.RRF, MRREL.RRF (a UMLS release's META/ or the open sample vocabulary)" };
        var semgroups = new Option<string?>("--semantic-groups") { Description = "SemGroups.txt for concept groups (default: umls-semantic-network/SemGroups.txt of the shared data when present)" };
        var output = new Option<string>("--out") { Description = "Output graph folder (graph.bin, manifest.json)", Required = true };
        var maxPerTarget = new Option<int>("--max-per-target") { Description = "At most N CO_OCCURS edges per task and target term, by lift (default 0 = all)" };
        var keepSuppressed = new Option<bool>("--keep-suppressed") { Description = "Keep MRREL rows flagged obsolete or suppressible (default: drop)" };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output folder" };
        var cmd = new Command("build", "Build the embedded knowledge graph: UMLS concepts and relations plus co-occurrence edges.");
        foreach (var o in new Option[] { cooccur, rrf, semgroups, output, maxPerTarget, keepSuppressed, force })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            using var logs = context.CreateLoggerFactory();
            var groups = parse.GetValue(semgroups);
            if (groups is null && DataLocations.FindDataset("umls-semantic-network") is { } sn && File.Exists(Path.Combine(sn, "SemGroups.txt")))
            {
                groups = Path.Combine(sn, "SemGroups.txt");
            }

            var settings = new GraphBuildSettings
            {
                CooccurrenceDirectory = parse.GetValue(cooccur),
                RrfDirectory = parse.GetValue(rrf),
                SemanticGroupsFile = groups,
                OutputDirectory = parse.GetValue(output)!,
                MaxPerTarget = parse.GetValue(maxPerTarget),
                KeepSuppressedRelations = parse.GetValue(keepSuppressed),
                Force = parse.GetValue(force),
            };
            var report = await context.CreateProgress("graph build").RunAsync(progress =>
                Task.Run(() => new GraphBuilder(logs.CreateLogger<GraphBuilder>()).Run(settings, progress, ct), ct));
            context.WriteReport(report);
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command Load(CliContext context)
    {
        var graphDir = new Option<string>("--graph") { Description = "Graph folder from `graph build` (graph.bin)", Required = true };
        var neo4j = new Option<string>("--neo4j") { Description = "Neo4j HTTP(S) URL, e.g. http://127.0.0.1:7474 (credentials: EHRR1_NEO4J_USER / EHRR1_NEO4J_PASSWORD)", Required = true };
        var database = new Option<string?>("--database") { Description = "Database name on Neo4j 4.x/5.x (default: the server's default, neo4j; ignored by 3.x)" };
        var batch = new Option<int>("--batch-size") { Description = "Rows per UNWIND batch and transaction", DefaultValueFactory = _ => 10_000 };
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Checkpoint file of committed batches (default: neo4j-load.checkpoint.json in the graph folder)" };
        var restart = new Option<bool>("--restart") { Description = "Ignore an unfinished checkpoint and load from the start (MERGE keeps it idempotent)" };
        var schemaOnly = new Option<bool>("--schema-only") { Description = "Only apply the constraints and indexes (e.g. after a neo4j-admin bulk import)" };
        var attempts = new Option<int>("--max-attempts") { Description = "Attempts per request on transient failures", DefaultValueFactory = _ => 6 };
        var parallel = new Option<int>("--concurrency", "--parallel") { Description = $"Concept batches in flight at once (--parallel is the old name), each its own request and transaction (terms and relationships always go one batch at a time)", DefaultValueFactory = _ => Neo4jGraphLoader.DefaultParallelism };
        var cmd = new Command("load", "Load the graph into Neo4j over the HTTP Cypher API: schema DDL by server version, batched UNWIND/MERGE, idempotent and resumable.");
        foreach (var o in new Option[] { graphDir, neo4j, database, batch, checkpoint, restart, schemaOnly, attempts, parallel })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            using var logs = context.CreateLoggerFactory();
            var uriText = parse.GetValue(neo4j)!;
            if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri))
            {
                throw new StageConfigurationException($"--neo4j must be an absolute URL such as http://127.0.0.1:7474; got '{uriText}'.");
            }

            var settings = Neo4jSettings.FromEnvironment(uri, parse.GetValue(database)) with { MaxAttempts = parse.GetValue(attempts) };
            using var client = new Neo4jHttpClient(settings, logs.CreateLogger<Neo4jHttpClient>());
            if (parse.GetValue(schemaOnly))
            {
                var n = await EhrR1.Graph.Neo4j.Schema.SchemaScripts.ApplyAsync(client, ct);
                context.WriteReport(new StageReport("graph load", 0, new Dictionary<string, long>(StringComparer.Ordinal) { ["schema_statements"] = n }, []));
                return ExitCodes.Success;
            }

            var file = Path.GetFullPath(GraphFile(parse.GetValue(graphDir)!));
            var graphFolder = Path.GetDirectoryName(file)!;
            var g = KnowledgeGraphFile.Load(file);
            var checkpointPath = parse.GetValue(checkpoint) ?? Path.Combine(graphFolder, "neo4j-load.checkpoint.json");
            var loader = new Neo4jGraphLoader(client, logs.CreateLogger<Neo4jGraphLoader>()) { Parallelism = parse.GetValue(parallel) };
            var report = await context.CreateProgress("graph load").RunAsync(progress =>
                loader.LoadAsync(LoadSource(g, KnowledgeGraphFile.Fingerprint(file)), checkpointPath, parse.GetValue(batch), parse.GetValue(restart), progress, ct));

            // beside graph.bin, so the run report shows what the server received
            var manifestPath = Path.Combine(graphFolder, "neo4j-load.manifest.json");
            new RunManifest
            {
                Stage = "graph load",
                Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["server"] = Neo4jSettings.Describe(uri),
                    ["database"] = parse.GetValue(database),
                    ["batch_size"] = parse.GetValue(batch).ToString(CultureInfo.InvariantCulture),
                    ["parallel"] = parse.GetValue(parallel).ToString(CultureInfo.InvariantCulture),
                },
                Inputs = [FileFingerprint.Of(file)],
                Counts = report.Counts,
                ElapsedSeconds = report.ElapsedSeconds,
            }.Save(manifestPath);
            context.WriteReport(report with { Outputs = [.. report.Outputs, manifestPath] });
            return ExitCodes.Success;
        });
        return cmd;
    }

    private static Command ExportCsv(CliContext context)
    {
        var graphDir = new Option<string>("--graph") { Description = "Graph folder from `graph build` (graph.bin)", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for the neo4j-admin import CSV files and import.sh", Required = true };
        var force = new Option<bool>("--force") { Description = "Overwrite an existing output folder" };
        var cmd = new Command("export-csv", "Write the graph as neo4j-admin import CSV files (typed headers) for bulk loading into an empty database.");
        cmd.Options.Add(graphDir);
        cmd.Options.Add(output);
        cmd.Options.Add(force);
        cmd.SetAction((parse, ct) =>
        {
            var sw = System.Diagnostics.Stopwatch.StartNew();
            var g = KnowledgeGraphFile.Load(GraphFile(parse.GetValue(graphDir)!));
            var outDir = parse.GetValue(output)!;
            var counts = Neo4jImportCsvWriter.Write(g, outDir, parse.GetValue(force));
            context.WriteReport(new StageReport("graph export-csv", sw.Elapsed.TotalSeconds, counts, Neo4jImportCsvWriter.Files.Select(f => Path.Combine(outDir, f)).ToList()));
            return Task.FromResult(ExitCodes.Success);
        });
        return cmd;
    }

    private static Command Show(CliContext context)
    {
        var graphDir = new Option<string?>("--graph") { Description = "Graph folder from `graph build` (embedded store)" };
        var neo4j = new Option<string?>("--neo4j") { Description = "Or a Neo4j HTTP URL (the same queries against the server)" };
        var cui = new Option<string?>("--cui") { Description = "Concept identifier" };
        var name = new Option<string?>("--name") { Description = "Or a concept name or term (case-insensitive)" };
        var task = new Option<string?>("--task") { Description = "Also list the concept's strongest co-occurrences in this task" };
        var limit = new Option<int>("--limit") { Description = "Co-occurrences to list", DefaultValueFactory = _ => 20 };
        var cmd = new Command("show", "Print a concept, its neighbours (UMLS relations, co-occurrences) and its top co-occurrences as JSON.");
        foreach (var o in new Option[] { graphDir, neo4j, cui, name, task, limit })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            using var logs = context.CreateLoggerFactory();
            Neo4jHttpClient? client = null;
            try
            {
                Core.Concepts.IConceptGraph store;
                if (parse.GetValue(neo4j) is { } url)
                {
                    client = new Neo4jHttpClient(Neo4jSettings.FromEnvironment(new Uri(url)), logs.CreateLogger<Neo4jHttpClient>());
                    store = new EhrR1.Graph.Neo4j.Neo4jConceptGraph(client);
                }
                else if (parse.GetValue(graphDir) is { } dir)
                {
                    store = KnowledgeGraphFile.Load(GraphFile(dir));
                }
                else
                {
                    throw new StageConfigurationException("Pass --graph (embedded store) or --neo4j (server).");
                }

                var concepts = parse.GetValue(cui) is { } id
                    ? (await store.GetConceptAsync(id, ct)) is { } found ? [found] : []
                    : parse.GetValue(name) is { } n ? await store.FindConceptsByNameAsync(n, ct) : throw new StageConfigurationException("Pass --cui or --name.");
                var result = new List<object>();
                foreach (var c in concepts)
                {
                    var neighbours = await store.GetNeighboursAsync(c.Cui, cancellationToken: ct);
                    var top = parse.GetValue(task) is { } t ? await store.GetTopCooccurrencesAsync(c.Cui, t, parse.GetValue(limit), ct) : [];
                    result.Add(new { concept = c, neighbours, top_cooccurrences = top });
                }

                context.Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(result, JsonDefaults.Indented));
                if (concepts.Count == 0)
                {
                    // Exit 1 alone left the user with "[]" on stdout and no word of why.
                    context.Error.WriteLine(parse.GetValue(cui) is { } missing
                        ? $"error: no concept with CUI {missing} in the graph."
                        : $"error: no concept is named \"{parse.GetValue(name)}\" in the graph (try the CUI with --cui).");
                    return ExitCodes.BadInput;
                }

                return ExitCodes.Success;
            }
            finally
            {
                client?.Dispose();
            }
        });
        return cmd;
    }

    private static Command Guide(CliContext context)
    {
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 / localhost (0 = any free port)", DefaultValueFactory = _ => GuideServer.DefaultPort };
        var neo4j = new Option<string?>("--neo4j") { Description = "Neo4j HTTP URL of the loaded run (e.g. http://127.0.0.1:7474; credentials: EHRR1_NEO4J_USER / EHRR1_NEO4J_PASSWORD): the guide's :param blocks then hold a real sample, concept and task of that server" };
        var database = new Option<string?>("--database") { Description = "Database name on Neo4j 4.x/5.x (default: the server's default)" };
        var cmd = new Command("guide", "Serve the Neo4j Browser guide (graph-schema/guide), style and saved queries on loopback until Ctrl+C; prints the :play and :style commands to type in the Browser. With --neo4j the examples are read from the loaded run.");
        cmd.Options.Add(port);
        cmd.Options.Add(neo4j);
        cmd.Options.Add(database);
        cmd.SetAction(async (parse, ct) =>
        {
            var p = parse.GetValue(port);
            if (p is < 0 or > 65535)
            {
                throw new StageConfigurationException($"--port must be between 0 and 65535; got {p}.");
            }

            using var logs = context.CreateLoggerFactory();
            IReadOnlyDictionary<string, string>? examples = null;
            if (parse.GetValue(neo4j) is { } uriText)
            {
                if (!Uri.TryCreate(uriText, UriKind.Absolute, out var uri))
                {
                    throw new StageConfigurationException($"--neo4j must be an absolute URL such as http://127.0.0.1:7474; got '{uriText}'.");
                }

                using var client = new Neo4jHttpClient(Neo4jSettings.FromEnvironment(uri, parse.GetValue(database)), logs.CreateLogger<Neo4jHttpClient>());
                examples = await GuideExamples.FindAsync(client, ct);
                await context.Error.WriteLineAsync(examples.Count == 0
                    ? "the server holds no concepts or samples yet: the guide keeps its generic examples (load a run first: ehr-graph run --neo4j URL)"
                    : $"guide examples read from the server for: {string.Join(", ", examples.Keys.Order(StringComparer.Ordinal))}");
            }

            GuideServer started;
            try
            {
                started = GuideServer.Start(p, logs.CreateLogger<GuideServer>(), examples);
            }
            catch (IOException e)
            {
                throw new StageConfigurationException(e.Message);
            }

            await using var server = started;
            await context.Output.WriteLineAsync(server.PlayCommand);
            await context.Output.WriteLineAsync(server.StyleCommand);
            await context.Output.FlushAsync(ct);
            await context.Error.WriteLineAsync($"serving the guide at {server.GuideUri}; type the two lines above in Neo4j Browser (Ctrl+C stops)");
            await Task.Delay(Timeout.Infinite, ct);
            return ExitCodes.Success;
        });
        return cmd;
    }
}
