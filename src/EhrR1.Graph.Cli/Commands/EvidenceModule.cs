using System.CommandLine;
using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evidence;
using EhrR1.Graph.Evidence.Neo4j;
using EhrR1.Graph.Evidence.Search;
using EhrR1.Graph.Evidence.Stage;
using CypherDialect = EhrR1.Graph.Neo4j.Http.CypherDialect;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph evidence search | report | neo4j | cypher</c>.</summary>
internal sealed class EvidenceModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var group = tree.Group("evidence", "Evidence paths: a thinking graph per decision-making sample");
        group.Subcommands.Add(Search(context));
        group.Subcommands.Add(Report(context));
        group.Subcommands.Add(Neo4jWrite(context));
        group.Subcommands.Add(Cypher(context));
    }

    private static Command Search(CliContext context)
    {
        var samples = new Option<string>("--samples") { Description = "Sample concepts JSONL (sample_id, task, targets, history, hidden_history, cuis)", Required = true };
        var graph = new Option<string>("--graph") { Description = "Graph folder with concepts.jsonl and relations.jsonl", Required = true };
        var cooccur = new Option<string>("--cooccurrence") { Description = "Co-occurrence rows JSONL (task, target, history, count, target_df, history_df, task_samples, lift)", Required = true };
        var terms = new Option<string?>("--terms") { Description = "Optional term → CUI map JSONL ({\"term\",\"cui\"}) from the concept stage" };
        var output = new Option<string>("--out") { Description = "Output evidence JSONL", Required = true };
        var threshold = new Option<double>("--threshold") { Description = "Minimum lift, strict >", DefaultValueFactory = _ => EvidenceDefaults.LiftThreshold };
        var minSupport = new Option<long>("--min-support") { Description = "Minimum document frequency of the history concept", DefaultValueFactory = _ => EvidenceDefaults.MinSupport };
        var topK = new Option<int>("--topk") { Description = "History concepts kept per target", DefaultValueFactory = _ => EvidenceDefaults.TopK };
        var history = new Option<string>("--history") { Description = "visible (only concepts shown in the input) | upstream (also bid_event events and the target admission)", DefaultValueFactory = _ => "visible" };
        var mode = new Option<string>("--search") { Description = "knowledge: from each target over knowledge relations only, graded explanations | upstream: lift-selected pairs, shortest paths over --graph-kind", DefaultValueFactory = _ => "knowledge" };
        var kind = new Option<string?>("--graph-kind") { Description = "With --search upstream: umls | cooccurrence | both [default: umls]. Knowledge search never walks co_occurs edges" };
        var hubCap = new Option<int>("--hub-cap") { Description = "Knowledge search: concepts with more distinct neighbours are not walked through", DefaultValueFactory = _ => EvidenceDefaults.HubDegreeCap };
        var pathsPerTarget = new Option<int>("--paths-per-target") { Description = "Knowledge search: explanations kept per target (best-ranked)", DefaultValueFactory = _ => EvidenceDefaults.PathsPerTarget };
        var fallback = new Option<bool>("--cooccurrence-fallback") { Description = "Knowledge search: a target without a knowledge path gets its top lift pairs, labelled 'observed together in N samples (lift L)', never as a relation" };
        var exclude = new Option<string[]>("--exclude-rela") { Description = "Excluded RELA values (default: upstream's four)", AllowMultipleArgumentsPerToken = true };
        var maxNodes = new Option<int>("--max-nodes") { Description = "Explored-node budget per pair", DefaultValueFactory = _ => EvidenceDefaults.MaxExploredNodes };
        var maxPaths = new Option<int>("--max-paths") { Description = "Shortest paths collected per pair", DefaultValueFactory = _ => EvidenceDefaults.MaxPaths };
        var maxHops = new Option<int?>("--max-hops") { Description = "Hop limit: of a path with --search knowledge [default: 4]; of each search side with --search upstream [default: 10]" };
        var pathsPerPair = new Option<int>("--paths-per-pair") { Description = "Paths written per pair: 1 = the shortest", DefaultValueFactory = _ => 1 };
        var noSibling = new Option<bool>("--no-sibling-rule") { Description = "Allow A -r-> B <-r- C hops (default: rejected)" };
        var keepPairEdge = new Option<bool>("--keep-pair-edge") { Description = "Let a pair's path be its own co_occurs edge (the edge that selected it); default: skipped, so a path goes through other concepts" };
        var format = new Option<string>("--path-format") { Description = "arrow (A —[rel]→ B) | python (upstream list repr)", DefaultValueFactory = _ => "arrow" };
        var threads = new Option<int>("--threads") { Description = "Worker threads", DefaultValueFactory = _ => Environment.ProcessorCount };
        var shard = new Option<string>("--shard") { Description = "i/n: process only shard i of n, by a stable hash of sample_id", DefaultValueFactory = _ => "0/1" };
        var resume = new Option<bool>("--resume") { Description = "Continue OUT.partial left by an interrupted run" };
        var cmd = new Command("search", "Pairs each sample's target and history concepts by lift and finds evidence paths between them");
        foreach (var o in new Option[] { samples, graph, cooccur, terms, output, mode, threshold, minSupport, topK, history, kind, hubCap, pathsPerTarget, fallback, exclude, maxNodes, maxPaths, maxHops, pathsPerPair, noSibling, keepPairEdge, format, threads, shard, resume })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var problems = new List<string>();
            if (!Sharding.TryParse(parse.GetValue(shard)!, out var shardIndex, out var shardCount))
            {
                problems.Add("--shard must be i/n with 0 <= i < n, e.g. 0/4.");
            }

            var historyMode = parse.GetValue(history) switch { "visible" => HistoryMode.Visible, "upstream" => HistoryMode.Upstream, _ => (HistoryMode?)null };
            var searchMode = parse.GetValue(mode) switch { "knowledge" => SearchMode.Knowledge, "upstream" => SearchMode.Upstream, _ => (SearchMode?)null };
            if (searchMode is null) { problems.Add("--search must be knowledge or upstream."); }
            var kindText = parse.GetValue(kind);
            if (searchMode == SearchMode.Knowledge && kindText is not null && kindText != "umls")
            {
                problems.Add("--graph-kind " + kindText + " applies to --search upstream only: the knowledge search walks knowledge relations, never co_occurs edges (--cooccurrence-fallback labels lift pairs instead).");
            }

            if (searchMode == SearchMode.Upstream && parse.GetValue(fallback)) { problems.Add("--cooccurrence-fallback applies to --search knowledge only."); }
            if (parse.GetValue(hubCap) < 1 || parse.GetValue(pathsPerTarget) < 1) { problems.Add("--hub-cap and --paths-per-target must be at least 1."); }
            var graphKind = (kindText ?? "umls") switch { "umls" => GraphKind.Umls, "cooccurrence" => GraphKind.Cooccurrence, "both" => GraphKind.Both, _ => (GraphKind?)null };
            var pathFormat = parse.GetValue(format) switch { "arrow" => PathFormat.Arrow, "python" => PathFormat.Python, _ => (PathFormat?)null };
            if (historyMode is null) { problems.Add("--history must be visible or upstream."); }
            if (graphKind is null) { problems.Add("--graph-kind must be umls, cooccurrence or both."); }
            if (pathFormat is null) { problems.Add("--path-format must be arrow or python."); }
            if (parse.GetValue(topK) < 1) { problems.Add("--topk must be at least 1."); }
            if (parse.GetValue(maxNodes) < 1 || parse.GetValue(maxHops) is < 1 || parse.GetValue(maxPaths) < 1) { problems.Add("--max-nodes, --max-hops and --max-paths must be at least 1."); }
            if (parse.GetValue(pathsPerPair) < 1 || parse.GetValue(pathsPerPair) > parse.GetValue(maxPaths)) { problems.Add("--paths-per-pair must be between 1 and --max-paths."); }
            if (parse.GetValue(threads) < 1) { problems.Add("--threads must be at least 1."); }
            StageConfigurationException.ThrowIfAny(problems);

            var settings = new EvidenceSettings
            {
                SamplesPath = parse.GetValue(samples)!,
                OutputPath = parse.GetValue(output)!,
                LiftThreshold = parse.GetValue(threshold),
                MinSupport = parse.GetValue(minSupport),
                TopK = parse.GetValue(topK),
                History = historyMode!.Value,
                Format = pathFormat!.Value,
                Search = new SearchSettings
                {
                    MaxExploredNodes = parse.GetValue(maxNodes),
                    MaxPaths = parse.GetValue(maxPaths),
                    MaxHopsPerSide = parse.GetValue(maxHops) ?? EvidenceDefaults.MaxHopsPerSide,
                    RejectSiblingHops = !parse.GetValue(noSibling),
                    KeepPairCooccurrence = parse.GetValue(keepPairEdge),
                },
                PathsPerPair = parse.GetValue(pathsPerPair),
                Mode = searchMode!.Value,
                Knowledge = new KnowledgeSearchSettings
                {
                    MaxHops = parse.GetValue(maxHops) ?? EvidenceDefaults.KnowledgeMaxHops,
                    HubDegreeCap = parse.GetValue(hubCap),
                    PathsPerTarget = parse.GetValue(pathsPerTarget),
                },
                CooccurrenceFallback = parse.GetValue(fallback),
                DegreeOfParallelism = parse.GetValue(threads),
                ShardIndex = shardIndex,
                ShardCount = shardCount,
                Resume = parse.GetValue(resume),
            };
            var excluded = parse.GetValue(exclude) is { Length: > 0 } ex ? ex : [.. EvidenceDefaults.ExcludedRelas];
            settings = settings with
            {
                LoadSettings = new Dictionary<string, string?>(StringComparer.Ordinal)
                {
                    ["graph_kind"] = kindText ?? "umls",
                    ["exclude_rela"] = string.Join(",", excluded.Order(StringComparer.Ordinal)),
                },
            };
            using var loggerFactory = context.CreateLoggerFactory();
            var logger = loggerFactory.CreateLogger("evidence");
            var (builder, relationGraph, _) = await EvidenceStageFactory.LoadAsync(settings, parse.GetValue(graph)!, parse.GetValue(cooccur)!, parse.GetValue(terms), graphKind!.Value, excluded, ct);
            var summary = await context.CreateProgress("evidence search").RunAsync(p => new EvidenceSearchStage(builder, logger).RunAsync(p, ct));
            var counts = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["samples_read"] = summary.Read,
                ["samples_written"] = summary.Written,
                ["skipped_other_shard"] = summary.SkippedOtherShard,
                ["skipped_already_done"] = summary.SkippedDone,
                ["skipped_not_decision_making"] = summary.SkippedNotDecision,
                ["graph_nodes"] = relationGraph.NodeCount,
                ["graph_relations"] = relationGraph.RelationRows,
                ["pair_cache_hits"] = summary.CacheHits,
                ["pair_cache_misses"] = summary.CacheMisses,
            };
            foreach (var (status, n) in summary.ByStatus)
            {
                counts["status_" + status] = n;
            }

            var manifestPath = settings.OutputPath + ".manifest.json";
            var dataTerms = RunManifest.TermsOf(parse.GetValue(graph)!);
            if (RunManifest.IsRestricted(dataTerms))
            {
                await context.Error.WriteLineAsync("warning: the graph holds opt-in sources; these thinking graphs come under their terms: " + dataTerms);
            }

            new RunManifest
            {
                Stage = "evidence search",
                Settings = new Dictionary<string, string?>(EvidenceSearchStage.DescribeSettings(settings), StringComparer.Ordinal) { ["graph_kind"] = kindText ?? "umls", [RunManifest.TermsSetting] = dataTerms },
                Inputs = [FileFingerprint.Of(settings.SamplesPath), FileFingerprint.Of(CooccurrenceInput(parse.GetValue(cooccur)!))],
                Counts = counts,
                ElapsedSeconds = summary.ElapsedSeconds,
            }.Save(manifestPath);
            context.WriteReport(new StageReport("evidence search", summary.ElapsedSeconds, counts, [settings.OutputPath, manifestPath]));
            return 0;
        });
        return cmd;
    }

    /// <summary>The file behind --cooccurrence: a JSONL file, or the pairs file of a `graph cooccur` folder.</summary>
    private static string CooccurrenceInput(string path) =>
        Directory.Exists(path) ? Path.Combine(path, EhrR1.Graph.Knowledge.Cooccurrence.CooccurrenceFiles.PairsFile) : path;

    private static Command Report(CliContext context)
    {
        var evidence = new Option<string>("--evidence") { Description = "Evidence JSONL written by evidence search", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder for attrition.md|csv|png|svg and quality.md|csv (explanation grades per task)", Required = true };
        var cmd = new Command("report", "Attrition per task: where samples and pairs drop out, as a table and a chart");
        cmd.Options.Add(evidence);
        cmd.Options.Add(output);
        cmd.SetAction(async (parse, ct) =>
        {
            var settings = new EvidenceReportSettings { EvidencePath = parse.GetValue(evidence)!, OutputDirectory = parse.GetValue(output)! };
            context.WriteReport(await context.RunStageAsync(new EvidenceReportStage(new EvidenceReportCharts()), settings, ct));
            return 0;
        });
        return cmd;
    }

    private static Command Neo4jWrite(CliContext context)
    {
        var evidence = new Option<string>("--evidence") { Description = "Evidence JSONL written by evidence search", Required = true };
        var uri = new Option<string>("--neo4j") { Description = "Neo4j HTTP URI, e.g. http://127.0.0.1:7474 (credentials: EHRR1_NEO4J_USER / EHRR1_NEO4J_PASSWORD)", Required = true };
        var database = new Option<string>("--database") { Description = "Database name on Neo4j 4+", DefaultValueFactory = _ => "neo4j" };
        var cmd = new Command("neo4j", "Writes every sample's thinking graph into Neo4j (:Sample)-[:HAS_PATH]->(:EvidencePath), idempotently");
        cmd.Options.Add(evidence);
        cmd.Options.Add(uri);
        cmd.Options.Add(database);
        cmd.SetAction(async (parse, ct) =>
        {
            if (!Uri.TryCreate(parse.GetValue(uri), UriKind.Absolute, out var server))
            {
                throw new StageConfigurationException("--neo4j must be an absolute http(s) URI such as http://127.0.0.1:7474.");
            }

            var started = DateTime.UtcNow;
            var evidencePath = parse.GetValue(evidence)!;
            using var client = new CypherHttpClient(server, parse.GetValue(database)!);
            var written = await context.CreateProgress("evidence neo4j").RunAsync(p =>
                new ThinkingGraphWriter(client).WriteAsync(evidencePath, new Progress<long>(n => p.Report(new StageProgress("samples", n, null, "samples"))), ct));
            var elapsed = (DateTime.UtcNow - started).TotalSeconds;
            var counts = new Dictionary<string, long>(StringComparer.Ordinal) { ["samples_written"] = written };

            // beside the evidence file, so the run report shows what the server received
            var manifestPath = evidencePath + ".neo4j.manifest.json";
            new RunManifest
            {
                Stage = "evidence neo4j",
                Settings = new Dictionary<string, string?>(StringComparer.Ordinal) { ["server"] = EhrR1.Graph.Neo4j.Http.Neo4jSettings.Describe(server), ["database"] = parse.GetValue(database) },
                Inputs = [FileFingerprint.Of(Path.GetFullPath(evidencePath))],
                Counts = counts,
                ElapsedSeconds = elapsed,
            }.Save(manifestPath);
            context.WriteReport(new StageReport("evidence neo4j", elapsed, counts, [manifestPath]));
            return 0;
        });
        return cmd;
    }

    private static Command Cypher(CliContext context)
    {
        var evidence = new Option<string>("--evidence") { Description = "Evidence JSONL written by evidence search", Required = true };
        var sampleId = new Option<string>("--sample-id") { Description = "The sample whose queries to print", Required = true };
        var kind = new Option<string?>("--graph-kind") { Description = "umls | cooccurrence | both: the relations the server search walks (default: the search's, from EVIDENCE.manifest.json, else umls)" };
        var keepPairEdge = new Option<bool?>("--keep-pair-edge") { Description = "Let the server search walk the pair's own CO_OCCURS edge (default: as the search did, from the manifest, else no)" };
        var serverVersion = new Option<string?>("--server-version") { Description = "3.1 | 4 | 5: the Neo4j generation to write the statements for; on 3.x shortest paths get CYPHER 2.3 and {name} parameters (default: the version of --neo4j when given, else 5)" };
        var uri = new Option<string?>("--neo4j") { Description = "Neo4j HTTP URI, e.g. http://127.0.0.1:7474: its version picks the dialect (credentials: EHRR1_NEO4J_USER / EHRR1_NEO4J_PASSWORD)" };
        var database = new Option<string?>("--database") { Description = "Database name on Neo4j 4+ (default: the server's default)" };
        var execute = new Option<bool>("--execute") { Description = "Also run the statements on --neo4j and print each one's rows" };
        var cmd = new Command("cypher", "Prints the parameterised Cypher (with its parameters) that shows one sample's thinking graph and re-runs its pair searches on the server; with --execute, runs it");
        foreach (var o in new Option[] { evidence, sampleId, kind, keepPairEdge, serverVersion, uri, database, execute })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var id = parse.GetValue(sampleId)!;
            var manifest = RunManifest.TryLoad(parse.GetValue(evidence)! + ".manifest.json");
            var kindText = parse.GetValue(kind) ?? manifest?.Settings.GetValueOrDefault("graph_kind") ?? "umls";
            var problems = new List<string>();
            var graphKind = kindText switch { "umls" => GraphKind.Umls, "cooccurrence" => GraphKind.Cooccurrence, "both" => GraphKind.Both, _ => (GraphKind?)null };
            if (graphKind is null) { problems.Add("--graph-kind must be umls, cooccurrence or both."); }
            var versionText = parse.GetValue(serverVersion);
            var major = 0;
            if (versionText is not null && !CypherDialect.TryParseServerVersion(versionText, out major)) { problems.Add("--server-version must be 3.1, 4 or 5 (found '" + versionText + "')."); }
            Uri? server = null;
            if (parse.GetValue(uri) is { } uriText && (!Uri.TryCreate(uriText, UriKind.Absolute, out server) || server.Scheme is not ("http" or "https")))
            {
                problems.Add("--neo4j must be an absolute http(s) URI such as http://127.0.0.1:7474.");
            }

            if (parse.GetValue(execute) && parse.GetValue(uri) is null) { problems.Add("--execute needs --neo4j, the server to run the statements on."); }
            StageConfigurationException.ThrowIfAny(problems);
            var keep = parse.GetValue(keepPairEdge) ?? string.Equals(manifest?.Settings.GetValueOrDefault("pair_edge"), "kept", StringComparison.Ordinal);
            EvidenceRecord? record = null;
            await foreach (var line in EvidenceFile.ReadAsync(parse.GetValue(evidence)!, ct))
            {
                if (string.Equals(line.Value.SampleId, id, StringComparison.Ordinal))
                {
                    record = line.Value;
                    break;
                }
            }

            if (record is null)
            {
                throw new InputDataException("EHR-EV-030", parse.GetValue(evidence)!, null, "sample_id", "no record has this sample id", fix: "Check the id (format task:subject_id:index)");
            }

            using var client = server is null ? null : new CypherHttpClient(server, parse.GetValue(database));
            if (versionText is null)
            {
                major = client is null ? 5 : await client.ServerMajorVersionAsync(ct);
                if (!CypherDialect.KnownMajors.Contains(major))
                {
                    throw new StageConfigurationException("The server at --neo4j reports major version " + major.ToString(System.Globalization.CultureInfo.InvariantCulture) + "; pass --server-version 3.1, 4 or 5.");
                }
            }

            var queries = new List<(string Purpose, CypherStatement Statement)>
            {
                ("stored paths of the sample", new(ThinkingGraphCypher.SamplePaths, new Dictionary<string, object?> { ["sample_id"] = id })),
                ("the sample's thinking graph (Neo4j Browser)", new(ThinkingGraphCypher.SampleGraph, new Dictionary<string, object?> { ["sample_id"] = id })),
            };
            foreach (var p in record.Pairs.Where(p => p.TargetCui is not null && p.HistoryCui is not null))
            {
                queries.Add(("server shortest path for " + p.Target + " / " + p.History, ThinkingGraphCypher.ServerSearch(graphKind!.Value, p.TargetCui!, p.HistoryCui!, EvidenceDefaults.ExcludedRelas, keep, major)));
            }

            var printed = new List<Dictionary<string, object?>>(queries.Count);
            foreach (var (purpose, statement) in queries)
            {
                var entry = new Dictionary<string, object?>(StringComparer.Ordinal) { ["purpose"] = purpose, ["statement"] = statement.Statement, ["parameters"] = statement.Parameters };
                if (parse.GetValue(execute))
                {
                    entry["rows"] = (await client!.RunAsync([statement], ct))[0];
                }

                printed.Add(entry);
            }

            await context.Output.WriteLineAsync(JsonSerializer.Serialize(printed, JsonDefaults.Indented));
            return 0;
        });
        return cmd;
    }
}
