using System.CommandLine;
using System.Diagnostics;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Reasoning.Batch;
using EhrR1.Graph.Reasoning.Corpus;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Reasoning.Filtering;
using EhrR1.Graph.Reasoning.Synthesis;

namespace EhrR1.Graph.Cli.Commands;

/// <summary>
/// <c>ehr-graph reason</c> (online synthesis or preparation), <c>reason batch prepare|submit|poll|ingest</c>,
/// <c>reason filter</c> and <c>corpus build</c>. Parses options, builds settings, runs the stage.
/// </summary>
internal sealed class ReasonModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var reason = tree.Group("reason", "Synthesise reasoning chains with an LLM (GPT-4o) from samples and evidence.");
        var endpoint = new EndpointOptions();
        var samples = new Option<FileInfo>("--samples") { Description = "EHR-Bench JSONL (tasks export or released format)", Required = true };
        var evidence = new Option<FileInfo?>("--evidence") { Description = "Evidence JSONL from `evidence search`, joined by sample_id (needed by the with-graph prompt)" };
        var output = new Option<DirectoryInfo>("--out") { Description = "Output folder: reasoning.jsonl, reasoning.failures.jsonl, batch/, prompts/, manifest.json", Required = true };
        var prompt = new Option<string?>("--prompt") { Description = "Prompt variant with-graph | without-graph | free-form, or a template id (default with-graph when --evidence is given, else without-graph)" };
        var prompts = new Option<DirectoryInfo?>("--prompts") { Description = "Folder of prompt templates to use instead of the embedded ones" };
        var n = new Option<int>("--n") { Description = "Completions per sample", DefaultValueFactory = _ => 3 };
        var temperature = new Option<double>("--temperature") { Description = "Sampling temperature", DefaultValueFactory = _ => 0.5 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "Max tokens per completion", DefaultValueFactory = _ => 2048 };
        var limit = new Option<long?>("--limit") { Description = "Process at most this many eligible samples (trial runs)" };
        var prices = new Option<FileInfo?>("--prices") { Description = "Price table JSON (default: built-in list prices, see docs/reasoning.md)" };
        var prepareOnly = new Option<bool>("--prepare-only") { Description = "Write prompts, Batch files and the cost estimate; send nothing" };
        var filterNoGraph = new Option<bool>("--filter-no-graph") { Description = "Skip samples without evidence paths even for prompts that do not use them (upstream --filter_nograph)" };
        var exclude = new Option<string[]>("--exclude-task") { Description = "Task names to skip; repeat the option", DefaultValueFactory = _ => ["discharge"], AllowMultipleArgumentsPerToken = true };

        ReasoningSettings Settings(ParseResult r, bool forcePrepare) => new()
        {
            SamplesPath = r.GetValue(samples)!.FullName,
            EvidencePath = r.GetValue(evidence)?.FullName,
            OutputDirectory = r.GetValue(output)!.FullName,
            Prompt = r.GetValue(prompt) ?? (r.GetValue(evidence) is null ? "without-graph" : "with-graph"),
            PromptsDirectory = r.GetValue(prompts)?.FullName,
            N = r.GetValue(n),
            Temperature = r.GetValue(temperature),
            MaxTokens = r.GetValue(maxTokens),
            Limit = r.GetValue(limit),
            PricesPath = r.GetValue(prices)?.FullName,
            PrepareOnly = forcePrepare || r.GetValue(prepareOnly),
            FilterNoGraph = r.GetValue(filterNoGraph),
            ExcludeTasks = (r.GetValue(exclude) ?? []).ToHashSet(StringComparer.Ordinal),
            Endpoint = endpoint.Build(r),
        };

        async Task<int> RunReason(ParseResult r, bool forcePrepare, CancellationToken ct)
        {
            var settings = Settings(r, forcePrepare);
            using var loggers = context.CreateLoggerFactory();
            var clock = Stopwatch.StartNew();
            var summary = await context.CreateProgress("reason").RunAsync(p => new ReasoningStage(loggers.CreateLogger("reason")).RunAsync(settings, p, ct));
            context.WriteReport(new StageReport(forcePrepare ? "reason batch prepare" : "reason", clock.Elapsed.TotalSeconds, summary.Counts, summary.Outputs));
            return AllFailed(summary.Counts) is { } reasons
                ? Fail(reasons)
                : ExitCodes.Success;
        }

        int Fail(string reasons)
        {
            context.Error.WriteLine($"error [EHR-RS-090]: every sample failed ({reasons}); nothing was written to reasoning.jsonl. " +
                "See reasoning.failures.jsonl and check the endpoint, the model name and the key.");
            return ExitCodes.ServiceUnavailable;
        }

        Command WithReasonOptions(Command cmd, bool includeEndpointRun)
        {
            foreach (var o in new Option[] { samples, evidence, output, prompt, prompts, n, temperature, maxTokens, limit, prices, filterNoGraph, exclude })
            {
                cmd.Options.Add(o);
            }

            if (includeEndpointRun)
            {
                cmd.Options.Add(prepareOnly);
            }

            endpoint.AddTo(cmd);
            return cmd;
        }

        WithReasonOptions(reason, includeEndpointRun: true);
        reason.SetAction((r, ct) => RunReason(r, forcePrepare: false, ct));

        var batch = tree.Group("reason batch", "OpenAI / Azure Batch API: prepare request files, submit, poll, ingest results.");
        var prepare = WithReasonOptions(new Command("prepare", "Write Batch API request files (≤ 50,000 requests and ≤ 200 MB each), batch/meta.jsonl and estimate.json."), includeEndpointRun: false);
        prepare.SetAction((r, ct) => RunReason(r, forcePrepare: true, ct));
        batch.Subcommands.Add(prepare);

        var batchOut = new Option<DirectoryInfo>("--out") { Description = "The folder given to `reason batch prepare`", Required = true };
        var submit = new Command("submit", "Upload the prepared request files and create one batch per file (resumable; state in batch/state.json).");
        submit.Options.Add(batchOut);
        endpoint.AddTo(submit);
        submit.SetAction(async (r, ct) =>
        {
            var options = RequireEndpoint(endpoint.Build(r));
            using var loggers = context.CreateLoggerFactory();
            using var http = ChatEndpointClient.CreateHttpClient(4);
            var state = await new BatchClient(options, http, loggers.CreateLogger("batch")).SubmitAsync(Path.Combine(r.GetValue(batchOut)!.FullName, ReasoningSettings.BatchFolder), ct);
            WriteState(context, "reason batch submit", state);
            return ExitCodes.Success;
        });
        batch.Subcommands.Add(submit);

        var wait = new Option<bool>("--wait") { Description = "Keep polling until every batch has finished" };
        var interval = new Option<int>("--interval-s") { Description = "Seconds between polls with --wait", DefaultValueFactory = _ => 60 };
        var poll = new Command("poll", "Refresh batch status and download finished output and error files into batch/.");
        poll.Options.Add(batchOut);
        poll.Options.Add(wait);
        poll.Options.Add(interval);
        endpoint.AddTo(poll);
        poll.SetAction(async (r, ct) =>
        {
            var options = RequireEndpoint(endpoint.Build(r));
            using var loggers = context.CreateLoggerFactory();
            using var http = ChatEndpointClient.CreateHttpClient(4);
            var client = new BatchClient(options, http, loggers.CreateLogger("batch"));
            var dir = Path.Combine(r.GetValue(batchOut)!.FullName, ReasoningSettings.BatchFolder);
            while (true)
            {
                var state = await client.PollAsync(dir, ct);
                if (!r.GetValue(wait) || state.All(s => s.IsTerminal))
                {
                    WriteState(context, "reason batch poll", state);
                    return ExitCodes.Success;
                }

                await Task.Delay(TimeSpan.FromSeconds(Math.Max(1, r.GetValue(interval))), ct);
            }
        });
        batch.Subcommands.Add(poll);

        var results = new Option<FileInfo[]>("--results") { Description = "Batch output/error files (default: batch/output-*.jsonl and batch/errors-*.jsonl)", AllowMultipleArgumentsPerToken = true };
        var ingestPrices = new Option<FileInfo?>("--prices") { Description = "Price table JSON (default: built-in list prices)" };
        var ingest = new Command("ingest", "Append Batch results to reasoning.jsonl (failures to reasoning.failures.jsonl); already ingested samples are skipped.");
        ingest.Options.Add(batchOut);
        ingest.Options.Add(results);
        ingest.Options.Add(ingestPrices);
        ingest.SetAction(async (r, ct) =>
        {
            var clock = Stopwatch.StartNew();
            var outDir = r.GetValue(batchOut)!.FullName;
            var counts = await BatchIngest.RunAsync(outDir, (r.GetValue(results) ?? []).Select(f => f.FullName).ToList(), PriceTable.Load(r.GetValue(ingestPrices)?.FullName), ct);
            context.WriteReport(new StageReport("reason batch ingest", clock.Elapsed.TotalSeconds, counts, [Path.Combine(outDir, ReasoningSettings.ResultsFile)]));
            return ExitCodes.Success;
        });
        batch.Subcommands.Add(ingest);

        RegisterFilter(tree, context);
        RegisterCorpus(tree, context);
    }

    private static ChatEndpointOptions RequireEndpoint(ChatEndpointOptions options) =>
        options.IsConfigured ? options : throw new StageConfigurationException(ReasoningStage.EnvHint);

    private static void WriteState(CliContext context, string stage, IReadOnlyList<BatchJobState> state)
    {
        var counts = state.GroupBy(s => "status_" + (s.Status ?? "not_submitted"), StringComparer.Ordinal).ToDictionary(g => g.Key, g => (long)g.Count(), StringComparer.Ordinal);
        counts["batches"] = state.Count;
        context.WriteReport(new StageReport(stage, 0, counts, state.SelectMany(s => s.Downloaded).ToList()));
    }

    private static void RegisterFilter(CommandTree tree, CliContext context)
    {
        var cmd = new Command("filter", "Keep chains with ≥ min label coverage after the last Final Results, no leak phrases, the three sections and no old headers.");
        var input = new Option<FileInfo>("--input") { Description = "reasoning.jsonl from `reason` or `reason batch ingest`", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Filtered JSONL (rejects go to <out>.rejects.jsonl)", Required = true };
        var coverage = new Option<double>("--min-coverage") { Description = "Minimum label coverage", DefaultValueFactory = _ => 0.7 };
        var leak = new Option<string[]>("--leak-phrase") { Description = "Leak phrases (case-insensitive; replaces the default list; repeat the option)", AllowMultipleArgumentsPerToken = true };
        var noSections = new Option<bool>("--no-require-sections") { Description = "Do not require ## Extraction / ## Reasoning / ## Final Results (free-form prompt)" };
        var keepTruncated = new Option<bool>("--keep-truncated") { Description = "Keep chains cut at the token limit (finish_reason length)" };
        var maxSamples = new Option<long?>("--max-samples") { Description = "Keep at most N samples, chosen by a seeded hash of sample_id" };
        var multipleOf = new Option<int>("--multiple-of") { Description = "Round the kept count down to a multiple of this (upstream 64; 1 = off)", DefaultValueFactory = _ => 1 };
        var seed = new Option<int>("--seed") { Description = "Seed of the subset choice", DefaultValueFactory = _ => 42 };
        var exclude = new Option<string[]>("--exclude-task") { Description = "Task names to drop", DefaultValueFactory = _ => ["discharge"], AllowMultipleArgumentsPerToken = true };
        foreach (var o in new Option[] { input, output, coverage, leak, noSections, keepTruncated, maxSamples, multipleOf, seed, exclude })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (r, ct) =>
        {
            var leaks = r.GetValue(leak);
            var settings = new FilterSettings
            {
                ResultsPath = r.GetValue(input)!.FullName,
                OutputPath = r.GetValue(output)!.FullName,
                MinCoverage = r.GetValue(coverage),
                LeakPhrases = leaks is { Length: > 0 } ? leaks : FilterSettings.DefaultLeakPhrases,
                RequireSections = !r.GetValue(noSections),
                RejectTruncated = !r.GetValue(keepTruncated),
                MaxSamples = r.GetValue(maxSamples),
                MultipleOf = r.GetValue(multipleOf),
                Seed = r.GetValue(seed),
                ExcludeTasks = (r.GetValue(exclude) ?? []).ToHashSet(StringComparer.Ordinal),
            };
            var report = await context.CreateProgress("reason filter").RunAsync(p => ReasoningFilter.RunAsync(settings, p, ct));
            context.WriteReport(report);
            return ExitCodes.Success;
        });
        tree.Group("reason", "Synthesise reasoning chains with an LLM (GPT-4o) from samples and evidence.").Subcommands.Add(cmd);
    }

    private static void RegisterCorpus(CommandTree tree, CliContext context)
    {
        var cmd = new Command("build", "Build EHR-Ins chat records (messages format for TRL / datasets): /think reasoning records mixed with /no_think records.");
        var filtered = new Option<FileInfo>("--reasoning") { Description = "Filtered reasoning JSONL from `reason filter`", Required = true };
        var samples = new Option<FileInfo>("--samples") { Description = "EHR-Bench JSONL (tasks export): inputs and the non-reasoning records", Required = true };
        var output = new Option<FileInfo>("--out") { Description = "Output JSONL, one {sample_id, messages} per line", Required = true };
        var ratio = new Option<double>("--no-think-ratio") { Description = "Non-reasoning records per reasoning record (0 = none)", DefaultValueFactory = _ => 1.0 };
        var seed = new Option<int>("--seed") { Description = "Seed", DefaultValueFactory = _ => 42 };
        var chain = new Option<string>("--chain") { Description = "Which passing chain: first (upstream) | random (seeded)", DefaultValueFactory = _ => "first" };
        var upstreamSuffix = new Option<bool>("--upstream-no-think-suffix") { Description = "Append /no_think without a newline, as upstream did" };
        var exclude = new Option<string[]>("--exclude-task") { Description = "Task names to leave out", DefaultValueFactory = _ => ["discharge"], AllowMultipleArgumentsPerToken = true };
        foreach (var o in new Option[] { filtered, samples, output, ratio, seed, chain, upstreamSuffix, exclude })
        {
            cmd.Options.Add(o);
        }

        cmd.SetAction(async (r, ct) =>
        {
            var settings = new CorpusSettings
            {
                FilteredPath = r.GetValue(filtered)!.FullName,
                SamplesPath = r.GetValue(samples)!.FullName,
                OutputPath = r.GetValue(output)!.FullName,
                NoThinkRatio = r.GetValue(ratio),
                Seed = r.GetValue(seed),
                ChainChoice = r.GetValue(chain) ?? "first",
                UpstreamNoThinkSuffix = r.GetValue(upstreamSuffix),
                ExcludeTasks = (r.GetValue(exclude) ?? []).ToHashSet(StringComparer.Ordinal),
            };
            var report = await context.CreateProgress("corpus build").RunAsync(p => CorpusBuilder.RunAsync(settings, p, ct));
            context.WriteReport(report);
            return ExitCodes.Success;
        });
        tree.Group("corpus", "EHR-Ins training corpora.").Subcommands.Add(cmd);
    }

    /// <summary>The endpoint options shared by reason / batch submit / batch poll; values override the environment.</summary>
    private sealed class EndpointOptions
    {
        private readonly Option<string?> _provider = new("--provider") { Description = "openai | azure (default EHRR1_LLM_PROVIDER, else openai)" };
        private readonly Option<string?> _client = new("--client") { Description = "http (default: our HttpClient code, n completions in one request) | sdk (Azure.AI.OpenAI / OpenAI SDK via Microsoft.Extensions.AI, one completion per request: the prompt is billed n times); default EHRR1_LLM_CLIENT, else http" };
        private readonly Option<string?> _endpoint = new("--endpoint") { Description = "Endpoint URL (default EHRR1_LLM_ENDPOINT); the key is read only from the environment" };
        private readonly Option<string?> _model = new("--model") { Description = "Model or Azure deployment (default EHRR1_LLM_MODEL, else gpt-4o)" };
        private readonly Option<string?> _apiVersion = new("--api-version") { Description = "Azure api-version (default EHRR1_LLM_API_VERSION, else " + ChatEndpointOptions.DefaultAzureApiVersion + ")" };
        private readonly Option<int> _concurrency = new("--concurrency") { Description = "Requests in flight", DefaultValueFactory = _ => 16 };
        private readonly Option<int> _rpm = new("--rpm") { Description = "Requests per minute limit (0 = none)", DefaultValueFactory = _ => 0 };
        private readonly Option<long> _tpm = new("--tpm") { Description = "Tokens per minute limit, estimated before and reconciled after each call (0 = none)", DefaultValueFactory = _ => 0 };
        private readonly Option<int> _timeout = new("--timeout-s") { Description = "Per-request timeout in seconds", DefaultValueFactory = _ => 180 };
        private readonly Option<int> _retries = new("--max-retries") { Description = "Retries per request on 429/5xx/timeouts", DefaultValueFactory = _ => 6 };
        private readonly Option<bool> _maxCompletionTokens = new("--max-completion-tokens-field") { Description = "Send max_completion_tokens instead of max_tokens (newer OpenAI models)" };

        public void AddTo(Command cmd)
        {
            foreach (var o in new Option[] { _provider, _client, _endpoint, _model, _apiVersion, _concurrency, _rpm, _tpm, _timeout, _retries, _maxCompletionTokens })
            {
                cmd.Options.Add(o);
            }
        }

        public ChatEndpointOptions Build(ParseResult r)
        {
            var env = ChatEndpointOptions.FromEnvironment();
            try
            {
                if (r.GetValue(_provider) is { } p)
                {
                    var provider = ChatEndpointOptions.ParseProvider(p);
                    if (provider != env.Provider)
                    {
                        env = ChatEndpointOptions.FromEnvironment(k => k == "EHRR1_LLM_PROVIDER" ? p : Environment.GetEnvironmentVariable(k));
                    }
                }

                return env with
                {
                    Endpoint = r.GetValue(_endpoint) is { } e ? ChatEndpointOptions.ParseEndpoint(e) : env.Endpoint,
                    Client = r.GetValue(_client) is { } c ? ChatEndpointOptions.ParseClient(c) : env.Client,
                    Model = r.GetValue(_model) ?? env.Model,
                    AzureApiVersion = r.GetValue(_apiVersion) ?? env.AzureApiVersion,
                    MaxConcurrency = r.GetValue(_concurrency),
                    RequestsPerMinute = r.GetValue(_rpm),
                    TokensPerMinute = r.GetValue(_tpm),
                    RequestTimeout = TimeSpan.FromSeconds(Math.Max(1, r.GetValue(_timeout))),
                    MaxRetries = r.GetValue(_retries),
                    UseMaxCompletionTokens = r.GetValue(_maxCompletionTokens),
                };
            }
            catch (ArgumentException ex)
            {
                throw new StageConfigurationException(ex.Message.Split(" (Parameter", 2)[0] + ".");
            }
        }
    }

    private static readonly string[] FailureCounts = ["failed", "throttled_429", "server_errors", "timeouts", "retries"];

    /// <summary>The failure counts when samples were attempted and not one succeeded (now or before), else null.</summary>
    internal static string? AllFailed(IReadOnlyDictionary<string, long> counts)
    {
        long Get(string key) => counts.TryGetValue(key, out var v) ? v : 0;
        if (Get("failed") == 0 || Get("completed") > 0 || Get("already_done") > 0)
        {
            return null;
        }

        return string.Join(", ", FailureCounts
            .Where(k => Get(k) > 0)
            .Select(k => k + " " + Get(k).ToString(System.Globalization.CultureInfo.InvariantCulture)));
    }
}
