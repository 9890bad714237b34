using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Reasoning.Endpoints;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Reasoning.Batch;

/// <summary>
/// Submits prepared Batch input files (Files API upload with purpose "batch", then a Batch with a 24 h completion
/// window), polls them and downloads output and error files. State lives in <c>batch/state.json</c>, saved after
/// every step, so submit and poll can be interrupted and rerun without submitting a file twice.
/// </summary>
public sealed class BatchClient(ChatEndpointOptions options, HttpClient http, ILogger logger)
{
    public const string StateFile = "state.json";

    public static IReadOnlyList<BatchJobState> LoadState(string batchDir)
    {
        var path = Path.Combine(batchDir, StateFile);
        return File.Exists(path) ? JsonSerializer.Deserialize<List<BatchJobState>>(File.ReadAllText(path)) ?? [] : [];
    }

    public async Task<IReadOnlyList<BatchJobState>> SubmitAsync(string batchDir, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(batchDir);
        var files = Directory.EnumerateFiles(batchDir, "requests-*.jsonl").Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0)
        {
            throw new StageConfigurationException("no Batch input files in " + batchDir + ": run `ehr-graph reason batch prepare` first.");
        }

        var state = LoadState(batchDir).ToDictionary(s => s.File, StringComparer.Ordinal);
        foreach (var file in files)
        {
            var name = Path.GetFileName(file);
            var job = state.GetValueOrDefault(name) ?? new BatchJobState { File = name };
            if (job.InputFileId is null)
            {
                HttpContent Upload()
                {
                    var content = new MultipartFormDataContent();
                    content.Add(new StringContent("batch"), "purpose");
                    var fileContent = new StreamContent(File.OpenRead(file));
                    fileContent.Headers.ContentType = new MediaTypeHeaderValue("application/jsonl");
                    content.Add(fileContent, "file", name);
                    return content;
                }

                using var doc = await SendAsync(HttpMethod.Post, "files", Upload, cancellationToken);
                job = job with { InputFileId = doc.RootElement.GetProperty("id").GetString() };
                state[name] = job;
                Save(batchDir, state.Values);
            }

            if (job.BatchId is null)
            {
                var body = JsonSerializer.Serialize(new Dictionary<string, string?>
                {
                    ["input_file_id"] = job.InputFileId,
                    ["endpoint"] = options.Provider == LlmProvider.Azure ? BatchFileWriter.AzureUrl : BatchFileWriter.OpenAiUrl,
                    ["completion_window"] = "24h",
                });
                using var doc = await SendAsync(HttpMethod.Post, "batches", () => new StringContent(body, Encoding.UTF8, "application/json"), cancellationToken);
                job = job with { BatchId = doc.RootElement.GetProperty("id").GetString(), Status = Str(doc.RootElement, "status") };
                state[name] = job;
                Save(batchDir, state.Values);
                logger.LogInformation("Submitted {File} as batch {Batch}", name, job.BatchId);
            }
        }

        return [.. state.Values.OrderBy(s => s.File, StringComparer.Ordinal)];
    }

    /// <summary>Refreshes every unfinished job once and downloads finished files; returns the new state.</summary>
    public async Task<IReadOnlyList<BatchJobState>> PollAsync(string batchDir, CancellationToken cancellationToken)
    {
        var state = LoadState(batchDir).ToDictionary(s => s.File, StringComparer.Ordinal);
        if (state.Count == 0)
        {
            throw new StageConfigurationException("nothing submitted from " + batchDir + ": run `ehr-graph reason batch submit` first.");
        }

        foreach (var name in state.Keys.Order(StringComparer.Ordinal).ToList())
        {
            var job = state[name];
            if (job.BatchId is null)
            {
                continue;
            }

            if (!job.IsTerminal)
            {
                using var doc = await SendAsync(HttpMethod.Get, "batches/" + Uri.EscapeDataString(job.BatchId), null, cancellationToken);
                job = job with
                {
                    Status = Str(doc.RootElement, "status"),
                    OutputFileId = Str(doc.RootElement, "output_file_id"),
                    ErrorFileId = Str(doc.RootElement, "error_file_id"),
                };
                state[name] = job;
                Save(batchDir, state.Values);
            }

            if (job.IsTerminal)
            {
                var stem = Path.GetFileNameWithoutExtension(name).Replace("requests-", string.Empty, StringComparison.Ordinal);
                foreach (var (fileId, prefix) in new[] { (job.OutputFileId, "output-"), (job.ErrorFileId, "errors-") })
                {
                    var target = prefix + stem + ".jsonl";
                    if (fileId is null || job.Downloaded.Contains(target))
                    {
                        continue;
                    }

                    await DownloadAsync(fileId, Path.Combine(batchDir, target), cancellationToken);
                    job = job with { Downloaded = [.. job.Downloaded, target] };
                    state[name] = job;
                    Save(batchDir, state.Values);
                    logger.LogInformation("Downloaded {Target} for batch {Batch}", target, job.BatchId);
                }
            }
        }

        return [.. state.Values.OrderBy(s => s.File, StringComparer.Ordinal)];
    }

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static void Save(string batchDir, IEnumerable<BatchJobState> state) =>
        AtomicFile.WriteAllText(Path.Combine(batchDir, StateFile), JsonSerializer.Serialize(state.OrderBy(s => s.File, StringComparer.Ordinal).ToList(), JsonDefaults.Indented) + "\n");

    private async Task DownloadAsync(string fileId, string target, CancellationToken cancellationToken)
    {
        await AtomicFile.WriteAsync(target, async (stream, ct) =>
        {
            using var response = await SendRawAsync(HttpMethod.Get, "files/" + Uri.EscapeDataString(fileId) + "/content", null, ct);
            await response.Content.CopyToAsync(stream, ct);
        }, cancellationToken);
    }

    private async Task<JsonDocument> SendAsync(HttpMethod method, string relative, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(method, relative, content, cancellationToken);
        await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
        try
        {
            return await JsonDocument.ParseAsync(stream, default, cancellationToken);
        }
        catch (JsonException ex)
        {
            throw new ExternalServiceException("EHR-LLM-BATCH", ChatEndpointClient.ServiceName, "the Batch API returned an unreadable answer for " + relative + ".", isTransient: true, ex);
        }
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string relative, Func<HttpContent>? content, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            using var request = new HttpRequestMessage(method, options.ApiUri(relative)) { Content = content?.Invoke() };
            options.Authorize(request);
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
            }
            catch (HttpRequestException ex) when (attempt < 4)
            {
                logger.LogWarning("Batch API call failed ({Error}); retrying", ex.HttpRequestError);
                await Task.Delay(TimeSpan.FromSeconds(attempt * 2), cancellationToken);
                continue;
            }
            catch (HttpRequestException ex)
            {
                throw new ExternalServiceException("EHR-LLM-DOWN", ChatEndpointClient.ServiceName, "the Batch API at " + options.Endpoint!.GetLeftPart(UriPartial.Authority) + " cannot be reached; rerun later to resume.", isTransient: true, ex);
            }

            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode)
            {
                return response;
            }

            var retryAfter = ChatEndpointClient.ReadRetryAfter(response);
            response.Dispose();
            if ((status == 429 || status >= 500) && attempt < 4)
            {
                await Task.Delay(retryAfter ?? TimeSpan.FromSeconds(attempt * 2), cancellationToken);
                continue;
            }

            throw new ExternalServiceException(
                "EHR-LLM-" + status.ToString(CultureInfo.InvariantCulture),
                ChatEndpointClient.ServiceName,
                string.Create(CultureInfo.InvariantCulture, $"the Batch API answered HTTP {status} to {method} {relative}. Check the key, endpoint and that the model/deployment supports Batch; then rerun to resume (state is kept in batch/state.json)."),
                isTransient: status == 429 || status >= 500);
        }
    }
}
