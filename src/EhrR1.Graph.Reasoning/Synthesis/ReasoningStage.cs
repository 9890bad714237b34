using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Reasoning.Batch;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Reasoning.Prompts;
using EhrR1.Graph.Reasoning.Runs;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Reasoning.Synthesis;

/// <summary>
/// <c>ehr-graph reason</c>: renders prompts for eligible samples and either sends them to the configured endpoint
/// (checkpointed, resumable) or, without an endpoint or with <see cref="ReasoningSettings.PrepareOnly"/>, writes
/// Batch API files and a token / cost estimate.
/// </summary>
public sealed class ReasoningStage(ILogger logger, HttpClient? httpClient = null)
{
    public const string EnvHint =
        "No LLM endpoint is configured, so nothing was sent. To run online set EHRR1_LLM_ENDPOINT (OpenAI-compatible base URL ending in /v1, " +
        "or the Azure resource URL with EHRR1_LLM_PROVIDER=azure), EHRR1_LLM_API_KEY (or OPENAI_API_KEY / AZURE_OPENAI_API_KEY) and " +
        "EHRR1_LLM_MODEL (model or Azure deployment), then rerun the same command; or submit the prepared Batch files with `ehr-graph reason batch submit`.";

    public async Task<ReasoningRunSummary> RunAsync(ReasoningSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        if (!File.Exists(settings.SamplesPath))
        {
            throw new InputDataException("EHR-IO-001", settings.SamplesPath, null, null, "the samples file does not exist", fix: "Pass the EHR-Bench JSONL from `ehr-graph tasks export`");
        }

        if (settings.EvidencePath is not null && !File.Exists(settings.EvidencePath))
        {
            throw new InputDataException("EHR-IO-001", settings.EvidencePath, null, null, "the evidence file does not exist", fix: "Run `ehr-graph evidence search` first, or leave out --evidence");
        }

        if (settings.EvidencePath is not null)
        {
            JsonlKind.Evidence.Require(settings.EvidencePath);
        }

        var template = PromptLibrary.Resolve(settings.Prompt, settings.PromptsDirectory);
        var prices = PriceTable.Load(settings.PricesPath);
        Directory.CreateDirectory(settings.OutputDirectory);
        var promptCopy = Path.Combine(settings.OutputDirectory, "prompts", template.Id.Replace('@', '.') + ".md");
        AtomicFile.WriteAllText(promptCopy, template.Text);
        var total = CountLines(settings.SamplesPath);

        var online = !settings.PrepareOnly && settings.Endpoint.IsConfigured;
        ReasoningRunSummary summary;
        if (online)
        {
            summary = await RunOnlineAsync(settings, template, prices, progress, total, cancellationToken);
        }
        else
        {
            summary = await PrepareAsync(settings, template, prices, progress, total, cancellationToken);
        }

        new RunManifest
        {
            Stage = online ? "reason" : "reason batch prepare",
            Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["samples"] = settings.SamplesPath,
                ["evidence"] = settings.EvidencePath,
                ["prompt_id"] = template.Id,
                ["prompt_sha256"] = template.Sha256,
                ["endpoint"] = settings.Endpoint.ToString(),
                ["client"] = ClientName(settings.Endpoint.Client),
                ["n"] = settings.N.ToString(CultureInfo.InvariantCulture),
                ["requests_per_sample"] = RequestsPerSample(settings).ToString(CultureInfo.InvariantCulture),
                ["temperature"] = settings.Temperature.ToString(CultureInfo.InvariantCulture),
                ["max_tokens"] = settings.MaxTokens.ToString(CultureInfo.InvariantCulture),
                ["exclude_tasks"] = string.Join(",", settings.ExcludeTasks.Order(StringComparer.Ordinal)),
                ["filter_no_graph"] = settings.FilterNoGraph ? "true" : "false",
                ["prices_as_of"] = prices.AsOf,
                [RunManifest.TermsSetting] = RunManifest.TermsOf(settings.EvidencePath),
            },
            Inputs = settings.EvidencePath is null ? [FileFingerprint.Of(settings.SamplesPath)] : [FileFingerprint.Of(settings.SamplesPath), FileFingerprint.Of(settings.EvidencePath)],
            Counts = summary.Counts,
        }.Save(Path.Combine(settings.OutputDirectory, online ? "manifest.json" : "manifest.prepare.json"));
        return summary with { Outputs = [.. summary.Outputs, promptCopy] };
    }

    private async Task<ReasoningRunSummary> RunOnlineAsync(ReasoningSettings settings, PromptTemplate template, PriceTable prices, IProgress<StageProgress>? progress, long total, CancellationToken cancellationToken)
    {
        CheckResultSettings(settings, template);
        using var builder = new RequestBuilder(settings, template, cancellationToken);
        using var client = new ChatEndpointClient(settings.Endpoint, httpClient, logger: logger);
        var endpointText = settings.Endpoint.ToString();
        var perSample = client.RequestsPerCall(settings.N);
        logger.LogInformation("Generating {N} chain(s) per sample in {Requests} request(s) with {Endpoint}, prompt {Prompt}", settings.N, perSample, endpointText, template.Id);
        if (perSample > 1)
        {
            logger.LogWarning("The {Client} client returns one completion per request: each sample's prompt is sent and billed {N} times (prompt tokens and cost below include it); --client http sends n in one request.", client.TransportName, perSample);
        }

        long promptTokens = 0, completionTokens = 0, chains = 0, apiRequests = 0;
        decimal cost = 0;
        var runner = new CheckpointedJsonlRunner<PreparedRequest, ReasoningRecord>(
            new CheckpointedRunSettings
            {
                OutputPath = settings.ResultsPath,
                FailuresPath = settings.FailuresPath,
                MaxConcurrency = settings.Endpoint.MaxConcurrency,
            },
            p => p.Sample.SampleId,
            async (p, ct) =>
            {
                var completion = await client.CompleteAsync(p.Request, ct);
                var model = completion.Model ?? settings.Endpoint.Model;
                return new ReasoningRecord
                {
                    SampleId = p.Sample.SampleId,
                    Task = p.Sample.Task,
                    TaskType = p.Sample.TaskType,
                    PromptId = template.Id,
                    Model = model,
                    Labels = p.Sample.Labels,
                    LabelIsString = p.Sample.LabelIsString,
                    Chains = completion.Choices.Select(c => c.Content).ToList(),
                    FinishReasons = completion.Choices.Select(c => c.FinishReason).ToList(),
                    PromptTokens = completion.Usage.PromptTokens,
                    CompletionTokens = completion.Usage.CompletionTokens,
                    CostUsd = prices.Cost(settings.Endpoint.Model, completion.Usage.PromptTokens, completion.Usage.CompletionTokens, batch: false),
                    Attempts = completion.Attempts,
                    Requests = completion.Requests,
                    Source = "online",
                    Utc = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
                };
            })
        {
            OnResult = r =>
            {
                promptTokens += r.PromptTokens;
                completionTokens += r.CompletionTokens;
                chains += r.Chains.Count;
                apiRequests += r.Requests;
                cost += r.CostUsd ?? 0;
            },
        };

        var result = await runner.RunAsync(builder.ReadAsync(cancellationToken), progress, total, cancellationToken);
        var stats = client.Statistics;
        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["eligible"] = builder.Eligible,
            ["completed"] = result.Completed,
            ["failed"] = result.Failed,
            ["already_done"] = result.AlreadyDone,
            ["duplicate_inputs"] = result.DuplicateInputs,
            ["excluded_task"] = builder.ExcludedTask,
            ["no_graph"] = builder.NoGraph,
            ["chains"] = chains,
            ["api_requests"] = apiRequests,
            ["prompt_tokens"] = promptTokens,
            ["completion_tokens"] = completionTokens,
            ["http_attempts"] = stats.Attempts,
            ["retries"] = stats.Retries,
            ["throttled_429"] = stats.Throttled,
            ["server_errors"] = stats.ServerErrors,
            ["timeouts"] = stats.Timeouts,
            ["truncated_checkpoint_bytes"] = result.TruncatedBytes,
        };
        var costText = cost.ToString("0.00", CultureInfo.InvariantCulture);
        logger.LogInformation(
            "Reasoning: {Completed} completed, {Failed} failed, {Done} already done; {Prompt} prompt + {Completion} completion tokens, ~{Cost} USD (prices as of {AsOf})",
            result.Completed, result.Failed, result.AlreadyDone, promptTokens, completionTokens, costText, prices.AsOf);
        return new ReasoningRunSummary(counts, [settings.ResultsPath, settings.FailuresPath], null, cost);
    }

    /// <summary>Chains already in reasoning.jsonl must come from the same prompt and sampling settings as the ones this run adds.</summary>
    private static void CheckResultSettings(ReasoningSettings settings, PromptTemplate template) =>
        ResumeSettings.CheckOrRecord(
            settings.ResultsPath,
            continuing: new FileInfo(settings.ResultsPath) is { Exists: true, Length: > 0 },
            RecordSettings(settings, template),
            "pass another --out to start afresh");

    /// <summary>The settings that shape a reasoning record, compared when a rerun continues reasoning.jsonl.</summary>
    internal static Dictionary<string, string?> RecordSettings(ReasoningSettings settings, PromptTemplate template) => new(StringComparer.Ordinal)
    {
        ["--prompt"] = template.Id,
        ["prompt_sha256"] = template.Sha256,
        ["model"] = settings.Endpoint.Model,
        ["--n"] = settings.N.ToString(CultureInfo.InvariantCulture),
        ["--temperature"] = settings.Temperature.ToString(CultureInfo.InvariantCulture),
        ["--max-tokens"] = settings.MaxTokens.ToString(CultureInfo.InvariantCulture),
        ["--exclude-task"] = string.Join(",", settings.ExcludeTasks.Order(StringComparer.Ordinal)),
        ["--filter-no-graph"] = settings.FilterNoGraph ? "true" : "false",
    };

    private async Task<ReasoningRunSummary> PrepareAsync(ReasoningSettings settings, PromptTemplate template, PriceTable prices, IProgress<StageProgress>? progress, long total, CancellationToken cancellationToken)
    {
        CheckResultSettings(settings, template); // the Batch results are appended to reasoning.jsonl too
        using var builder = new RequestBuilder(settings, template, cancellationToken);
        var done = new SampleKeySet();
        CheckpointFile.Recover(settings.ResultsPath, "sample_id", done);
        var batchDir = Path.Combine(settings.OutputDirectory, ReasoningSettings.BatchFolder);
        if (Directory.Exists(batchDir))
        {
            foreach (var old in Directory.EnumerateFiles(batchDir, "requests-*.jsonl"))
            {
                File.Delete(old);
            }
        }

        Directory.CreateDirectory(batchDir);
        var seen = new SampleKeySet();
        long promptChars = 0, alreadyDone = 0, duplicates = 0, processed = 0;
        var metaPath = Path.Combine(batchDir, "meta.jsonl");
        using (var writer = new BatchFileWriter(batchDir, "requests", settings.Endpoint.Provider, settings.Endpoint.Model, settings.Endpoint.UseMaxCompletionTokens, settings.BatchMaxRequestsPerFile, settings.BatchMaxBytesPerFile))
        {
            await AtomicFile.WriteAsync(metaPath, async (stream, ct) =>
            {
                using var meta = new JsonlWriter(stream, leaveOpen: true);
                await foreach (var p in builder.ReadAsync(ct))
                {
                    processed++;
                    if (processed % 1000 == 0)
                    {
                        progress?.Report(new StageProgress("prepare", processed, total, "samples"));
                    }

                    if (done.Contains(p.Sample.SampleId))
                    {
                        alreadyDone++;
                        continue;
                    }

                    if (!seen.Add(p.Sample.SampleId))
                    {
                        duplicates++;
                        continue;
                    }

                    var file = writer.Write(p.Sample.SampleId, p.Request);
                    meta.Write(new BatchMetaRecord(p.Sample.SampleId, p.Sample.Task, p.Sample.TaskType, template.Id, settings.Endpoint.Model, p.Sample.Labels, p.Sample.LabelIsString, file));
                    promptChars += p.PromptChars;
                }

                writer.Complete();
            }, cancellationToken);

            var requests = writer.Requests;
            var promptTokens = (long)Math.Ceiling(promptChars / settings.Endpoint.CharsPerToken);
            // Online with a one-choice-per-request client the prompt is billed n times; Batch lines carry n.
            var onlinePromptTokens = promptTokens * RequestsPerSample(settings);
            var completionTokens = requests * settings.N * (long)settings.ExpectedCompletionTokensPerChain;
            var completionUpper = requests * settings.N * (long)settings.MaxTokens;
            var estimate = new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["requests"] = requests,
                ["chains"] = requests * settings.N,
                ["model"] = settings.Endpoint.Model,
                ["prompt_id"] = template.Id,
                ["estimated_prompt_tokens"] = promptTokens,
                ["estimated_completion_tokens"] = completionTokens,
                ["completion_tokens_upper_bound"] = completionUpper,
                ["chars_per_token"] = settings.Endpoint.CharsPerToken,
                ["expected_completion_tokens_per_chain"] = settings.ExpectedCompletionTokensPerChain,
                ["online_client"] = ClientName(settings.Endpoint.Client),
                ["online_requests_per_sample"] = RequestsPerSample(settings),
                ["estimated_online_prompt_tokens"] = onlinePromptTokens,
                ["estimated_cost_usd_online"] = prices.Cost(settings.Endpoint.Model, onlinePromptTokens, completionTokens, batch: false),
                ["estimated_cost_usd_batch"] = prices.Cost(settings.Endpoint.Model, promptTokens, completionTokens, batch: true),
                ["prices_as_of"] = prices.AsOf,
                ["batch_files"] = writer.Files.Select(Path.GetFileName).ToList(),
            };
            var estimatePath = Path.Combine(settings.OutputDirectory, ReasoningSettings.EstimateFile);
            AtomicFile.WriteAllText(estimatePath, JsonSerializer.Serialize(estimate, JsonDefaults.Indented) + "\n");
            progress?.Report(new StageProgress("prepare", processed, total, "samples"));
            var note = settings.Endpoint.IsConfigured ? null : EnvHint;
            if (note is not null)
            {
                logger.LogWarning("{Note}", note);
            }

            var onlineText = Money(prices.Cost(settings.Endpoint.Model, onlinePromptTokens, completionTokens, false));
            var batchText = Money(prices.Cost(settings.Endpoint.Model, promptTokens, completionTokens, true));
            var fileCount = writer.Files.Count;
            logger.LogInformation(
                "Prepared {Requests} requests in {Files} Batch file(s); estimated {Prompt} prompt + {Completion} completion tokens, ~{Online} USD online / ~{Batch} USD batch (prices as of {AsOf})",
                requests, fileCount, promptTokens, completionTokens, onlineText, batchText, prices.AsOf);
            var counts = new Dictionary<string, long>(StringComparer.Ordinal)
            {
                ["eligible"] = builder.Eligible,
                ["requests"] = requests,
                ["batch_files"] = writer.Files.Count,
                ["already_done"] = alreadyDone,
                ["duplicate_inputs"] = duplicates,
                ["excluded_task"] = builder.ExcludedTask,
                ["no_graph"] = builder.NoGraph,
                ["estimated_prompt_tokens"] = promptTokens,
                ["estimated_completion_tokens"] = completionTokens,
            };
            return new ReasoningRunSummary(counts, [.. writer.Files, metaPath, estimatePath], note, prices.Cost(settings.Endpoint.Model, onlinePromptTokens, completionTokens, batch: false));
        }
    }

    /// <summary>API requests per sample online: 1 with the HTTP client (n choices per request), n with the SDK client.</summary>
    internal static int RequestsPerSample(ReasoningSettings settings) => settings.Endpoint.Client == ChatClientKind.Sdk ? settings.N : 1;

    private static string ClientName(ChatClientKind client) => client == ChatClientKind.Sdk ? "sdk" : "http";

    private static string Money(decimal? v) => v is { } d ? d.ToString("0.00", CultureInfo.InvariantCulture) : "n/a";

    internal static long CountLines(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        var buffer = new byte[1 << 20];
        long lines = 0;
        int read;
        var last = (byte)'\n';
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            lines += buffer.AsSpan(0, read).Count((byte)'\n');
            last = buffer[read - 1];
        }

        return last == '\n' ? lines : lines + 1;
    }
}
