using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Reasoning.Input;
using EhrR1.Graph.Reasoning.Runs;
using EhrR1.Graph.Reasoning.Synthesis;

namespace EhrR1.Graph.Reasoning.Batch;

/// <summary>
/// Turns Batch API output / error files (<c>{"id","custom_id","response":{"status_code","body"},"error"}</c> per line)
/// into the same <c>reasoning.jsonl</c> and failures file the online run writes, using <c>batch/meta.jsonl</c> for
/// task and labels. Samples already in <c>reasoning.jsonl</c> are skipped, so ingesting twice adds nothing.
/// </summary>
public static class BatchIngest
{
    public static async Task<IReadOnlyDictionary<string, long>> RunAsync(string outputDirectory, IReadOnlyList<string> resultFiles, PriceTable prices, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        ArgumentNullException.ThrowIfNull(resultFiles);
        ArgumentNullException.ThrowIfNull(prices);
        var batchDir = Path.Combine(outputDirectory, ReasoningSettings.BatchFolder);
        var metaPath = Path.Combine(batchDir, "meta.jsonl");
        if (!File.Exists(metaPath))
        {
            throw new StageConfigurationException(metaPath + " is missing: ingest needs the metadata written by `ehr-graph reason batch prepare` into the same --out folder.");
        }

        var files = resultFiles.Count > 0
            ? resultFiles
            : Directory.EnumerateFiles(batchDir, "output-*.jsonl").Concat(Directory.EnumerateFiles(batchDir, "errors-*.jsonl")).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new StageConfigurationException("no Batch result files found in " + batchDir + ": run `ehr-graph reason batch poll` until the batches complete, or pass --results FILE.");
        }

        using var meta = JsonlKeyIndex.Build(metaPath, (e, _) => e.GetProperty("sample_id").GetString(), cancellationToken);
        var resultsPath = Path.Combine(outputDirectory, ReasoningSettings.ResultsFile);
        var failuresPath = Path.Combine(outputDirectory, ReasoningSettings.FailuresFile);
        var done = new SampleKeySet();
        CheckpointFile.Recover(resultsPath, "sample_id", done);
        CheckpointFile.Recover(failuresPath, "sample_id", null);
        long ingested = 0, failed = 0, skipped = 0, unknown = 0, promptTokens = 0, completionTokens = 0;
        decimal cost = 0;
        await using (var results = new FileStream(resultsPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16))
        await using (var failures = new FileStream(failuresPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 12))
        using (var rw = new JsonlWriter(results, leaveOpen: true))
        using (var fw = new JsonlWriter(failures, leaveOpen: true))
        {
            var now = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            foreach (var file in files)
            {
                await foreach (var line in JsonlReader.ReadAsync<JsonElement>(file, cancellationToken: cancellationToken))
                {
                    var root = line.Value;
                    if (!root.TryGetProperty("custom_id", out var cid) || cid.ValueKind != JsonValueKind.String)
                    {
                        throw new InputDataException("EHR-RSN-040", file, line.LineNumber, "custom_id", "a Batch result line has no custom_id", expected: "a Batch API output or error file");
                    }

                    var id = cid.GetString()!;
                    BatchMetaRecord? m;
                    using (var doc = meta.TryRead(id))
                    {
                        m = doc?.RootElement.Deserialize<BatchMetaRecord>();
                    }

                    if (m is null)
                    {
                        unknown++;
                        continue;
                    }

                    if (done.Contains(id))
                    {
                        skipped++;
                        continue;
                    }

                    var status = root.TryGetProperty("response", out var resp) && resp.ValueKind == JsonValueKind.Object && resp.TryGetProperty("status_code", out var sc) && sc.ValueKind == JsonValueKind.Number ? sc.GetInt32() : (int?)null;
                    ChatCompletion? completion = null;
                    if (status == 200 && resp.TryGetProperty("body", out var body))
                    {
                        completion = ChatEndpointClient.ParseCompletion(body);
                    }

                    if (completion is null || completion.Choices.Count == 0)
                    {
                        var code = root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object && err.TryGetProperty("code", out var ec) && ec.ValueKind == JsonValueKind.String
                            ? ec.GetString()
                            : null;
                        var reason = "batch_" + (code ?? (status is { } s ? "http_" + s.ToString(CultureInfo.InvariantCulture) : completion is null ? "no_response" : "empty_choices"));
                        fw.Write(new FailureRecord(id, reason, status, 1, now));
                        failed++;
                        continue;
                    }

                    var c = prices.Cost(m.Model, completion.Usage.PromptTokens, completion.Usage.CompletionTokens, batch: true);
                    rw.Write(new ReasoningRecord
                    {
                        SampleId = id,
                        Task = m.Task,
                        TaskType = m.TaskType,
                        PromptId = m.PromptId,
                        Model = completion.Model ?? m.Model,
                        Labels = m.Labels,
                        LabelIsString = m.LabelIsString,
                        Chains = completion.Choices.Select(x => x.Content).ToList(),
                        FinishReasons = completion.Choices.Select(x => x.FinishReason).ToList(),
                        PromptTokens = completion.Usage.PromptTokens,
                        CompletionTokens = completion.Usage.CompletionTokens,
                        CostUsd = c,
                        Attempts = 1,
                        Source = "batch",
                        Utc = now,
                    });
                    done.Add(id);
                    ingested++;
                    promptTokens += completion.Usage.PromptTokens;
                    completionTokens += completion.Usage.CompletionTokens;
                    cost += c ?? 0;
                }
            }

            rw.Flush(durable: true);
            fw.Flush(durable: true);
        }

        return new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["ingested"] = ingested,
            ["failed"] = failed,
            ["already_done"] = skipped,
            ["unknown_custom_id"] = unknown,
            ["prompt_tokens"] = promptTokens,
            ["completion_tokens"] = completionTokens,
            ["cost_usd_cents"] = (long)Math.Round(cost * 100m),
        };
    }
}
