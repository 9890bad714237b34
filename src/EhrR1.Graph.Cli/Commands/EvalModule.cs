using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evaluation.Endpoint;
using EhrR1.Graph.Evaluation.Running;
using EhrR1.Graph.Evaluation.Scoring;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Training.Tokenization;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph eval run|score|compare</c>: EHR-Bench evaluation of an endpoint model, scoring, comparison.</summary>
internal sealed class EvalModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var group = tree.Group("eval", "Evaluate models on EHR-Bench: run a model, score predictions, compare results.");
        group.Subcommands.Add(BuildRun(context));
        group.Subcommands.Add(BuildScore(context));
        group.Subcommands.Add(BuildBaseline(context));
        group.Subcommands.Add(BuildCompare(context));
    }

    private static Command BuildRun(CliContext context)
    {
        var cmd = new Command("run", "Run a model (a local checkpoint with --checkpoint, or an endpoint) on an EHR-Bench file (resumable), then score it: predictions.jsonl, scores.jsonl, result.json, results.md, plots/.");
        var common = new CommonOptions(cmd);
        var checkpoint = new Option<string?>("--checkpoint") { Description = "Local TorchSharp Qwen3 checkpoint folder (safetensors + config.json); runs on the CPU instead of an endpoint." };
        var tokenizer = new Option<string?>("--tokenizer") { Description = "Qwen3 tokenizer.json or its folder (default: the checkpoint's tokenizer.json, else EHRR1_TOKENIZER, else shared/tokenizer/qwen3)." };
        var batchSize = new Option<int>("--batch-size") { Description = "Local model: prompts decoded together.", DefaultValueFactory = _ => 4 };
        var maxPrompt = new Option<int>("--max-prompt-tokens") { Description = "Local model: longer prompts are cut as `train` cuts its samples (inside the user message, keeping its start and end); 0 = no limit.", DefaultValueFactory = _ => 0 };
        var endpoint = new Option<string?>("--endpoint") { Description = "OpenAI-compatible base URL (e.g. http://127.0.0.1:8000/v1) or Azure OpenAI resource URL (default: EHRR1_LLM_ENDPOINT, else AZURE_OPENAI_ENDPOINT / OPENAI_BASE_URL). The key comes from EHRR1_LLM_API_KEY (else AZURE_OPENAI_API_KEY / OPENAI_API_KEY)." };
        var provider = new Option<string?>("--provider") { Description = "openai (any OpenAI-compatible server) or azure (default: EHRR1_LLM_PROVIDER, else openai)." };
        var model = new Option<string?>("--model") { Description = "Model name, or Azure deployment name (default: EHRR1_LLM_MODEL, else gpt-4o)." };
        var azureVersion = new Option<string?>("--azure-api-version") { Description = "Azure OpenAI api-version (default: EHRR1_LLM_API_VERSION, else 2024-10-21)." };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight.", DefaultValueFactory = _ => 8 };
        var rpm = new Option<int>("--rpm") { Description = "Requests per minute (0 = unlimited).", DefaultValueFactory = _ => 0 };
        var tpm = new Option<long>("--tpm") { Description = "Estimated tokens per minute (0 = unlimited).", DefaultValueFactory = _ => 0 };
        var retries = new Option<int>("--max-retries") { Description = "Retries per request on 429/5xx/timeouts.", DefaultValueFactory = _ => 6 };
        var timeout = new Option<int>("--request-timeout") { Description = "Seconds per request.", DefaultValueFactory = _ => 180 };
        var topLogprobs = new Option<int>("--top-logprobs") { Description = "Alternatives per token for risk tasks (the OpenAI maximum).", DefaultValueFactory = _ => 20 };
        var riskMaxTokens = new Option<int>("--risk-max-tokens") { Description = "Tokens generated for risk tasks (about 8 for thinking models that open with an empty <think></think> block).", DefaultValueFactory = _ => 1 };
        var think = new Option<string>("--think") { Description = "Thinking switch appended to prompts: think (decision tasks \\n/think), no_think (/no_think), none (general models). Default no_think.", DefaultValueFactory = _ => "no_think" };
        think.AcceptOnlyFromAmong("think", "no_think", "none");
        var maxNew = new Option<int>("--max-new-tokens") { Description = "Answer tokens without thinking.", DefaultValueFactory = _ => 128 };
        var maxNewThink = new Option<int>("--max-new-tokens-thinking") { Description = "Answer tokens with thinking.", DefaultValueFactory = _ => 4096 };
        var candidates = new Option<bool>("--candidates-in-prompt") { Description = "Append the candidate list and an answer-format note (for general models such as GPT-4o)." };
        var riskFromText = new Option<bool>("--risk-from-text") { Description = "Risk tasks: generate an answer instead of reading yes/no log-probabilities (AUROC then uses 1/0/0.5)." };
        var modelName = new Option<string?>("--model-name") { Description = "Name of the model in results (default: --model)." };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG/SVG plots." };
        foreach (var o in new Option[] { checkpoint, tokenizer, batchSize, maxPrompt, endpoint, provider, model, azureVersion, concurrency, rpm, tpm, retries, timeout, topLogprobs, riskMaxTokens, think, maxNew, maxNewThink, candidates, riskFromText, modelName, noPlots })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var settings = common.Settings(parse) with
            {
                Prompt = new PromptSettings
                {
                    Thinking = parse.GetValue(think) switch { "think" => ThinkingMode.Think, "none" => ThinkingMode.None, _ => ThinkingMode.NoThink },
                    MaxNewTokens = parse.GetValue(maxNew),
                    MaxNewTokensThinking = parse.GetValue(maxNewThink),
                    CandidatesInPrompt = parse.GetValue(candidates),
                    RiskFromProbabilities = !parse.GetValue(riskFromText),
                },
            };
            StageConfigurationException.ThrowIfAny(settings.Validate());
            using var loggers = context.CreateLoggerFactory();
            var extra = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["think"] = parse.GetValue(think),
                ["max_new_tokens"] = settings.Prompt.MaxNewTokens.ToString(CultureInfo.InvariantCulture),
                ["candidates_in_prompt"] = settings.Prompt.CandidatesInPrompt ? "true" : "false",
                ["risk_from_probabilities"] = settings.Prompt.RiskFromProbabilities ? "true" : "false",
            };
            await using var predictor = parse.GetValue(checkpoint) is { } local
                ? (IEhrBenchPredictor)CreateLocal(local, parse.GetValue(tokenizer), parse.GetValue(batchSize), parse.GetValue(maxPrompt), extra)
                : CreateEndpoint(parse, extra, loggers);
            var runner = new EvaluationRunner(loggers.CreateLogger<EvaluationRunner>());
            var summary = await context.CreateProgress("eval run").RunAsync(p => runner.PredictAsync(settings, predictor, p, ct));
            var name = parse.GetValue(modelName) ?? predictor.Description;
            return await FinishAsync(context, "eval run", settings, name, extra, parse.GetValue(noPlots), summary, clock, ct);
        });

        IEhrBenchPredictor CreateEndpoint(ParseResult parse, Dictionary<string, string?> extra, ILoggerFactory loggers)
        {
            var options = ChatEndpointOptions.FromEnvironment();
            try
            {
                options = options with
                {
                    Provider = parse.GetValue(provider) is { } pv ? ChatEndpointOptions.ParseProvider(pv) : options.Provider,
                    Endpoint = parse.GetValue(endpoint) is { } ep ? ChatEndpointOptions.ParseEndpoint(ep) : options.Endpoint,
                };
            }
            catch (ArgumentException ex)
            {
                throw new StageConfigurationException(ex.Message.Split(" (Parameter", 2)[0] + ".");
            }

            options = options with
            {
                Model = parse.GetValue(model) ?? options.Model,
                AzureApiVersion = parse.GetValue(azureVersion) ?? options.AzureApiVersion,
                MaxConcurrency = parse.GetValue(concurrency),
                RequestsPerMinute = parse.GetValue(rpm),
                TokensPerMinute = parse.GetValue(tpm),
                MaxRetries = parse.GetValue(retries),
                RequestTimeout = TimeSpan.FromSeconds(Math.Max(1, parse.GetValue(timeout))),
            };
            if (!options.IsConfigured)
            {
                throw new StageConfigurationException("no model endpoint: pass --endpoint (or set EHRR1_LLM_ENDPOINT) and set the API key in EHRR1_LLM_API_KEY if the endpoint needs one.");
            }
            var predictorSettings = new EndpointPredictorSettings { TopLogprobs = parse.GetValue(topLogprobs), RiskMaxTokens = parse.GetValue(riskMaxTokens) };
            StageConfigurationException.ThrowIfAny(options.Validate().Concat(predictorSettings.Validate()));
            extra["endpoint"] = options.ToString();
            extra["risk_max_tokens"] = predictorSettings.RiskMaxTokens.ToString(CultureInfo.InvariantCulture);
            return new ChatEndpointPredictor(new ChatEndpointClient(options, logger: loggers.CreateLogger<ChatEndpointClient>()), predictorSettings);
        }

        return cmd;
    }

    private static LocalModelPredictor CreateLocal(string checkpoint, string? tokenizer, int batchSize, int maxPromptTokens, Dictionary<string, string?> extra)
    {
        if (!Directory.Exists(checkpoint))
        {
            throw new StageConfigurationException("--checkpoint " + checkpoint + " is not a folder. Pass the folder written by `ehr-graph train`.");
        }

        if (batchSize < 1)
        {
            throw new StageConfigurationException("--batch-size must be at least 1.");
        }

        var tokenizerPath = tokenizer
            ?? (File.Exists(Path.Combine(checkpoint, "tokenizer.json")) ? checkpoint : TokenizerLocations.FindQwen3())
            ?? throw new StageConfigurationException("no Qwen3 tokenizer found: pass --tokenizer, or set " + TokenizerLocations.TokenizerVariable + ".");
        extra["checkpoint"] = checkpoint;
        if (maxPromptTokens < 0)
        {
            throw new StageConfigurationException("--max-prompt-tokens must be 0 (no limit) or more.");
        }

        extra["batch_size"] = batchSize.ToString(CultureInfo.InvariantCulture);
        extra["max_prompt_tokens"] = maxPromptTokens.ToString(CultureInfo.InvariantCulture);
        return new LocalModelPredictor(checkpoint, tokenizerPath, batchSize, maxPromptTokens);
    }

    private static Command BuildScore(CliContext context)
    {
        var cmd = new Command("score", "Score an existing predictions file against an EHR-Bench file: scores.jsonl, result.json, results.md, plots/.");
        var common = new CommonOptions(cmd);
        var predictions = new Option<string>("--predictions") { Description = "Predictions JSONL (default: OUT/predictions.jsonl)." };
        var modelName = new Option<string>("--model-name") { Description = "Name of the model in results (default: the predictions file name).", };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG/SVG plots." };
        cmd.Options.Add(predictions);
        cmd.Options.Add(modelName);
        cmd.Options.Add(noPlots);
        cmd.SetAction(async (parse, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var settings = common.Settings(parse) with { PredictionsPath = parse.GetValue(predictions) };
            var name = parse.GetValue(modelName) ?? Path.GetFileNameWithoutExtension(settings.PredictionsFile);
            return await FinishAsync(context, "eval score", settings, name, null, parse.GetValue(noPlots), null, clock, ct);
        });
        return cmd;
    }

    private static Command BuildBaseline(CliContext context)
    {
        var cmd = new Command("baseline", "Score a baseline on an EHR-Bench file, with the same metrics and intervals as a model: --kind frequency (most frequent training labels per task; risk: the training prevalence as P(yes)) or --kind graph (the knowledge graph alone: candidate labels ranked by summed co-occurrence lift and knowledge relations over the sample's history concepts; risk: a logistic fit on summed lift with \"yes\"). Writes predictions.jsonl, scores.jsonl, result.json, results.md.");
        var common = new CommonOptions(cmd);
        var train = new Option<string>("--train") { Description = "The EHR-Bench file of the training split the baseline is fitted on.", Required = true };
        var kind = new Option<string>("--kind") { Description = "frequency or graph.", DefaultValueFactory = _ => "frequency" };
        kind.AcceptOnlyFromAmong("frequency", "graph");
        var sampleConcepts = new Option<string[]>("--sample-concepts") { Description = "--kind graph: `concepts samples --all-tasks` output(s) of the training and test samples (history concepts, term → CUI links); repeat or comma-separate.", AllowMultipleArgumentsPerToken = true };
        var cooccurrence = new Option<string?>("--cooccurrence") { Description = "--kind graph: the `graph cooccur --out` folder (pairs.jsonl with lift)." };
        var graph = new Option<string?>("--graph") { Description = "--kind graph: the `graph build --out` folder or its graph.bin (knowledge relations)." };
        var relationWeight = new Option<double>("--relation-weight") { Description = "--kind graph: score per history concept with a knowledge relation to a candidate (the lift threshold; 0 = lift only).", DefaultValueFactory = _ => 5 };
        var noPlots = new Option<bool>("--no-plots") { Description = "Skip the PNG/SVG plots." };
        foreach (var o in new Option[] { train, kind, sampleConcepts, cooccurrence, graph, relationWeight, noPlots })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (parse, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var settings = common.Settings(parse);
            var isGraph = string.Equals(parse.GetValue(kind), "graph", StringComparison.Ordinal);
            var conceptFiles = (parse.GetValue(sampleConcepts) ?? []).SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
            if (isGraph && (conceptFiles.Count == 0 || parse.GetValue(cooccurrence) is null || parse.GetValue(graph) is null))
            {
                throw new StageConfigurationException("eval baseline --kind graph needs --sample-concepts (the `concepts samples --all-tasks` output of the training and test samples), --cooccurrence (the `graph cooccur` folder) and --graph (the `graph build` folder).");
            }

            if (isGraph && parse.GetValue(relationWeight) is var w && (w < 0 || !double.IsFinite(w)))
            {
                throw new StageConfigurationException("--relation-weight must be a finite number >= 0; got " + w.ToString(CultureInfo.InvariantCulture) + ".");
            }

            var training = new List<Evaluation.Bench.BenchSample>();
            await foreach (var s in Evaluation.Bench.EhrBenchReader.ReadAsync(parse.GetValue(train)!, includeText: false, ct))
            {
                training.Add(s);
            }

            if (training.Count == 0)
            {
                throw new InputDataException("EHR-EVAL-040", parse.GetValue(train)!, null, null, "the training file holds no sample", fix: "Pass the EHR-Bench export of the training split (tasks export --format ehr-bench)");
            }

            var extra = new Dictionary<string, string?>(StringComparer.Ordinal) { ["baseline"] = isGraph ? "graph" : "frequency", ["train"] = parse.GetValue(train), ["train_samples"] = training.Count.ToString(CultureInfo.InvariantCulture) };
            Func<Evaluation.Bench.BenchSample, Evaluation.Predictions.PredictionRecord> predict;
            if (isGraph)
            {
                var inputs = await GraphBaselineLoader.LoadAsync(conceptFiles, parse.GetValue(cooccurrence)!, parse.GetValue(graph)!, ct);
                var fitted = Evaluation.Baselines.GraphBaseline.Fit(training, inputs, new Evaluation.Baselines.GraphBaselineSettings { RelationWeight = parse.GetValue(relationWeight) });
                predict = fitted.Predict;
                extra["sample_concepts"] = string.Join(',', conceptFiles);
                extra["cooccurrence"] = parse.GetValue(cooccurrence);
                extra["graph"] = parse.GetValue(graph);
                extra["relation_weight"] = parse.GetValue(relationWeight).ToString(CultureInfo.InvariantCulture);
                extra["samples_with_history"] = inputs.History.Count.ToString(CultureInfo.InvariantCulture);
                extra["relations_between_linked_cuis"] = inputs.RelationCount.ToString(CultureInfo.InvariantCulture);
                extra["k_per_task"] = string.Join(',', fitted.LabelCounts.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + kv.Value.ToString(CultureInfo.InvariantCulture)));
            }
            else
            {
                predict = Evaluation.Baselines.FrequencyBaseline.Fit(training).Predict;
            }

            Directory.CreateDirectory(settings.OutputDirectory);
            // predict exactly the samples the scorer keeps (--tasks, the first --max-per-task per task in file order)
            var predictions = new List<Evaluation.Predictions.PredictionRecord>();
            var perTask = new Dictionary<string, int>(StringComparer.Ordinal);
            await foreach (var s in Evaluation.Bench.EhrBenchReader.ReadAsync(settings.BenchPath, includeText: false, ct))
            {
                if (settings.Tasks.Count > 0 && !settings.Tasks.Contains(s.Task))
                {
                    continue;
                }

                var n = perTask[s.Task] = perTask.GetValueOrDefault(s.Task) + 1;
                if (settings.MaxPerTask <= 0 || n <= settings.MaxPerTask)
                {
                    predictions.Add(predict(s));
                }
            }

            await AtomicFile.WriteAsync(settings.PredictionsFile, async (stream, token) =>
            {
                using var writer = new JsonlWriter(stream, JsonDefaults.Jsonl, leaveOpen: true);
                foreach (var p in predictions)
                {
                    writer.Write(p);
                }

                writer.Flush(durable: false);
                await Task.CompletedTask;
            }, ct);
            return await FinishAsync(context, "eval baseline", settings, isGraph ? "graph baseline" : "frequency baseline", extra, parse.GetValue(noPlots), null, clock, ct);
        });
        return cmd;
    }

    private static Command BuildCompare(CliContext context)
    {
        var cmd = new Command("compare", "Compare two or more result.json files side by side: comparison.md and a grouped bar plot (PNG/SVG).");
        var files = new Argument<string[]>("results") { Description = "result.json files (two or more).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out") { Description = "Output folder.", Required = true };
        cmd.Arguments.Add(files);
        cmd.Options.Add(output);
        cmd.SetAction((parse, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var paths = parse.GetValue(files) ?? [];
            if (paths.Length < 2)
            {
                throw new StageConfigurationException("eval compare needs two or more result.json files; got " + paths.Length.ToString(CultureInfo.InvariantCulture) + ".");
            }

            var results = paths.Select(p => (Path: p, Result: ResultComparison.Load(p))).ToList();
            var outDir = parse.GetValue(output)!;
            Directory.CreateDirectory(outDir);
            var markdown = Path.Combine(outDir, "comparison.md");
            AtomicFile.WriteAllText(markdown, ResultComparison.ToMarkdown(results));
            ct.ThrowIfCancellationRequested();
            var outputs = new List<string> { markdown };
            outputs.AddRange(EvalPlots.WriteComparisonPlots(results, ResultComparison.Labels(results), outDir));
            var manifest = Path.Combine(outDir, "manifest.json");
            new RunManifest
            {
                Stage = "eval compare",
                Inputs = [.. paths.Select(p => FileFingerprint.Of(Path.GetFullPath(p)))],
                Counts = new Dictionary<string, long>(StringComparer.Ordinal) { ["results"] = results.Count },
                ElapsedSeconds = clock.Elapsed.TotalSeconds,
            }.Save(manifest);
            outputs.Add(manifest);
            context.WriteReport(new StageReport("eval compare", clock.Elapsed.TotalSeconds, new Dictionary<string, long> { ["results"] = results.Count }, outputs));
            return Task.FromResult(0);
        });
        return cmd;
    }

    private static async Task<int> FinishAsync(
        CliContext context,
        string stage,
        EvaluationRunSettings settings,
        string model,
        IReadOnlyDictionary<string, string?>? extra,
        bool noPlots,
        PredictionRunSummary? summary,
        Stopwatch clock,
        CancellationToken ct)
    {
        var (result, outputs, unmatched) = await EvaluationScoring.ScoreAsync(settings, model, extra, ct);
        var files = new List<string> { outputs.ResultJson, outputs.ResultMarkdown, outputs.ScoresJsonl, outputs.Manifest };
        if (!noPlots)
        {
            files.AddRange(EvalPlots.WriteRunPlots(result, settings.OutputDirectory));
        }

        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal)
        {
            ["samples"] = result.Samples,
            ["scored"] = result.Scored,
            ["tasks"] = result.Tasks.Count,
            ["unmatched_predictions"] = unmatched,
        };
        if (summary is not null)
        {
            counts["already_predicted"] = summary.AlreadyDone;
            counts["predicted"] = summary.Predicted;
            counts["failed"] = summary.Failed;
        }

        context.WriteReport(new StageReport(stage, clock.Elapsed.TotalSeconds, counts, files));
        if (summary is { Failed: > 0 })
        {
            throw new ExternalServiceException(
                "EHR-EVAL-032",
                "LLM endpoint",
                summary.Failed.ToString(CultureInfo.InvariantCulture) + " samples failed after retries and were not scored (see the warnings above). Run the same command again to retry only those samples.",
                isTransient: true);
        }

        return 0;
    }

    /// <summary>Options shared by run and score.</summary>
    private sealed class CommonOptions
    {
        private readonly Option<string> _bench = new("--bench") { Description = "EHR-Bench JSONL (ours or the released format).", Required = true };
        private readonly Option<string> _out = new("--out") { Description = "Output folder (e.g. runs/demo/eval).", Required = true };
        private readonly Option<string?> _tasks = new("--tasks") { Description = "Comma-separated task names to evaluate (default all)." };
        private readonly Option<int> _maxPerTask = new("--max-per-task") { Description = "At most N samples per task, the first in file order (0 = all).", DefaultValueFactory = _ => 0 };
        private readonly Option<int> _bootstrap = new("--bootstrap") { Description = "Bootstrap resamples for 95% CIs (0 = none).", DefaultValueFactory = _ => 1000 };
        private readonly Option<int> _seed = new("--seed") { Description = "Bootstrap seed.", DefaultValueFactory = _ => 42 };
        private readonly Option<int> _bins = new("--calibration-bins") { Description = "Equal-width bins for ECE.", DefaultValueFactory = _ => 10 };

        public CommonOptions(Command cmd)
        {
            foreach (var o in new Option[] { _bench, _out, _tasks, _maxPerTask, _bootstrap, _seed, _bins })
            {
                cmd.Options.Add(o);
            }
        }

        public EvaluationRunSettings Settings(ParseResult parse) => new()
        {
            BenchPath = parse.GetValue(_bench)!,
            OutputDirectory = parse.GetValue(_out)!,
            Tasks = new HashSet<string>((parse.GetValue(_tasks) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), StringComparer.Ordinal),
            MaxPerTask = parse.GetValue(_maxPerTask),
            Scoring = new ScoringSettings
            {
                BootstrapResamples = parse.GetValue(_bootstrap),
                Seed = parse.GetValue(_seed),
                CalibrationBins = parse.GetValue(_bins),
            },
        };
    }
}
