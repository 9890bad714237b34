using System.Collections.Concurrent;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Reasoning.Batch;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.TestSupport.Http;
using EhrR1.Graph.Reasoning.Synthesis;
using EhrR1.Graph.Reasoning.Tests.Support;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Reasoning.Tests.Synthesis;

public sealed class ReasoningStageTests
{
    private static ReasoningSettings Settings(string outDir, ChatEndpointOptions endpoint, string prompt = "with-graph") => new()
    {
        SamplesPath = TestPaths.TestData("reasoning", "samples.jsonl"),
        EvidencePath = TestPaths.TestData("reasoning", "evidence.jsonl"),
        OutputDirectory = outDir,
        Prompt = prompt,
        Endpoint = endpoint,
    };

    private static ChatEndpointOptions Endpoint(LoopbackChatServer server, LlmProvider provider = LlmProvider.OpenAi, ChatClientKind client = ChatClientKind.Http) => new()
    {
        Provider = provider,
        Client = client,
        Endpoint = provider == LlmProvider.Azure ? server.AzureEndpoint : server.OpenAiEndpoint,
        ApiKey = "k",
        Model = "gpt-4o",
        MaxConcurrency = 2,
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(40),
        RequestTimeout = TimeSpan.FromSeconds(2),
    };

    private static List<JsonElement> Lines(string path) =>
        File.Exists(path) ? File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList() : [];

    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_WriteThreeChainsPerEligibleSample_When_EndpointAnswers(ChatClientKind kind)
    {
        using var dir = new TempDirectory();
        var prompts = new ConcurrentBag<string>();
        await using var server = new LoopbackChatServer((r, _) =>
        {
            prompts.Add(r.Body);
            return LoopbackChatServer.Completion(r, FakeChains.Good);
        });

        var summary = await new ReasoningStage(NullLogger.Instance).RunAsync(Settings(dir.Path, Endpoint(server, client: kind)), null, CancellationToken.None);

        var lines = Lines(dir.Combine(ReasoningSettings.ResultsFile));
        var perSample = kind == ChatClientKind.Sdk ? 3 : 1;
        server.RequestCount.Should().Be(3 * perSample);
        summary.Counts["api_requests"].Should().Be(3 * perSample);
        lines.Should().AllSatisfy(l => l.GetProperty("requests").GetInt32().Should().Be(perSample));
        using (var manifest = JsonDocument.Parse(File.ReadAllText(dir.Combine("manifest.json"))))
        {
            manifest.RootElement.GetProperty("Settings").GetProperty("requests_per_sample").GetString().Should().Be(perSample.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }

        lines.Select(l => l.GetProperty("sample_id").GetString()).Should().BeEquivalentTo("labevents:1001:7", "prescriptions:1004:5", "diagnoses_icd:1005:2");
        lines.Should().AllSatisfy(l =>
        {
            l.GetProperty("chains").GetArrayLength().Should().Be(3);
            l.GetProperty("prompt_id").GetString().Should().Be("reasoning-with-graph@v1");
            l.GetProperty("cost_usd").GetDecimal().Should().BeGreaterThan(0);
        });
        summary.Counts["excluded_task"].Should().Be(1);
        summary.Counts["no_graph"].Should().Be(2, "icu_mortality has no paths and radiology no evidence record");
        prompts.Should().Contain(p => p.Contains("insulin -> treats -> hyperglycemia", StringComparison.Ordinal));
        prompts.Should().Contain(p => p.Contains("{{not a placeholder}}", StringComparison.Ordinal));
        File.Exists(dir.Combine("prompts", "reasoning-with-graph.v1.md")).Should().BeTrue();
        File.ReadAllText(dir.Combine("manifest.json")).Should().NotContain("\"k\"");
    }

    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_CompleteEverySample_When_EndpointMisbehavesTransiently(ChatClientKind kind)
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackChatServer((r, n) =>
        {
            var good = LoopbackChatServer.Completion(r, FakeChains.Good);
            return n switch
            {
                1 => LoopbackChatServer.Error(429, "rate_limit", TimeSpan.FromMilliseconds(200), retryAfterMs: true),
                2 => LoopbackChatServer.Error(500, "server_error"),
                3 => good with { TruncateBodyTo = 40 },
                4 => FakeHttpResponse.Json("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[]}"),
                5 => good with { Delay = TimeSpan.FromSeconds(3) },
                _ => good,
            };
        });

        var summary = await new ReasoningStage(NullLogger.Instance).RunAsync(Settings(dir.Path, Endpoint(server, client: kind), "without-graph"), null, CancellationToken.None);

        summary.Counts["completed"].Should().Be(5);
        summary.Counts["failed"].Should().Be(0);
        summary.Counts["retries"].Should().BeGreaterThanOrEqualTo(5);
        Lines(dir.Combine(ReasoningSettings.ResultsFile)).Select(l => l.GetProperty("sample_id").GetString()).Should().OnlyHaveUniqueItems().And.HaveCount(5);
    }

    [Fact]
    public async Task Should_ContinueWithoutLossOrDuplicates_When_CheckpointHasTornLastLine()
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, FakeChains.Good));
        var settings = Settings(dir.Path, Endpoint(server), "without-graph") with { Limit = 2 };
        await new ReasoningStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);
        var results = dir.Combine(ReasoningSettings.ResultsFile);
        var first = File.ReadAllLines(results);
        await File.WriteAllTextAsync(results, first[0] + "\n" + first[1][..(first[1].Length / 2)]); // crash mid-write of line 2

        var summary = await new ReasoningStage(NullLogger.Instance).RunAsync(settings with { Limit = null }, null, CancellationToken.None);

        summary.Counts["already_done"].Should().Be(1);
        summary.Counts["truncated_checkpoint_bytes"].Should().BeGreaterThan(0);
        Lines(results).Select(l => l.GetProperty("sample_id").GetString()).Should().OnlyHaveUniqueItems().And.HaveCount(5);
    }

    [Fact]
    public async Task Should_StopWithExitCode2AndResumeLater_When_KeyIsRefused()
    {
        using var dir = new TempDirectory();
        var refuse = true;
        await using var server = new LoopbackChatServer((r, _) => refuse ? LoopbackChatServer.Error(401, "invalid_api_key") : LoopbackChatServer.Completion(r, FakeChains.Good));
        var settings = Settings(dir.Path, Endpoint(server), "without-graph");

        var act = () => new ReasoningStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<ExternalServiceException>()).Which;
        ex.ExitCode.Should().Be(2);
        ex.Message.Should().Contain("EHRR1_LLM_API_KEY");
        server.RequestCount.Should().BeLessThanOrEqualTo(2, "the circuit stops the run at the first refusal (2 may be in flight)");
        Lines(dir.Combine(ReasoningSettings.FailuresFile)).Should().BeEmpty("a refused key is not a sample failure");

        refuse = false;
        var summary = await new ReasoningStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);
        summary.Counts["completed"].Should().Be(5);
    }

    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_RecordFailureWithReason_When_RequestIsRejected(ChatClientKind kind)
    {
        using var dir = new TempDirectory();
        await using var server = new LoopbackChatServer((r, _) =>
            r.Body.Contains("Insulin", StringComparison.Ordinal) ? LoopbackChatServer.Error(400, "context_length_exceeded") : LoopbackChatServer.Completion(r, FakeChains.Good));

        var summary = await new ReasoningStage(NullLogger.Instance).RunAsync(Settings(dir.Path, Endpoint(server, client: kind), "without-graph"), null, CancellationToken.None);

        summary.Counts["failed"].Should().Be(1);
        var failure = Lines(dir.Combine(ReasoningSettings.FailuresFile)).Should().ContainSingle().Subject;
        failure.GetProperty("sample_id").GetString().Should().Be("prescriptions:1004:5");
        failure.GetProperty("reason").GetString().Should().Be("http_400");
        File.ReadAllText(dir.Combine(ReasoningSettings.FailuresFile)).Should().NotContain("Glucose");
    }

    [Fact]
    public async Task Should_PrepareBatchFilesAndEstimate_When_NoEndpointIsConfigured()
    {
        using var dir = new TempDirectory();
        var settings = Settings(dir.Path, new ChatEndpointOptions { Model = "gpt-4o" }, "without-graph") with { BatchMaxRequestsPerFile = 2 };

        var summary = await new ReasoningStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);

        summary.Note.Should().Contain("EHRR1_LLM_ENDPOINT").And.Contain("EHRR1_LLM_API_KEY");
        summary.Counts["requests"].Should().Be(5);
        var files = Directory.GetFiles(dir.Combine("batch"), "requests-*.jsonl").Order(StringComparer.Ordinal).ToList();
        files.Should().HaveCount(3);
        files.Should().AllSatisfy(f => BatchSchema.Validate(f, BatchFileWriter.OpenAiUrl).Should().BeEmpty());
        File.ReadLines(files[0]).Should().HaveCount(2);
        using var estimate = JsonDocument.Parse(File.ReadAllText(dir.Combine("estimate.json")));
        estimate.RootElement.GetProperty("estimated_prompt_tokens").GetInt64().Should().BeGreaterThan(100);
        estimate.RootElement.GetProperty("estimated_cost_usd_batch").GetDecimal().Should().BeLessThan(estimate.RootElement.GetProperty("estimated_cost_usd_online").GetDecimal());
        estimate.RootElement.GetProperty("online_requests_per_sample").GetInt32().Should().Be(1);
        estimate.RootElement.GetProperty("estimated_online_prompt_tokens").GetInt64().Should().Be(estimate.RootElement.GetProperty("estimated_prompt_tokens").GetInt64());
    }

    [Fact]
    public async Task Should_EstimateThePromptNTimesOnline_When_SdkClientIsChosen()
    {
        using var dir = new TempDirectory();
        var settings = Settings(dir.Path, new ChatEndpointOptions { Model = "gpt-4o", Client = ChatClientKind.Sdk }, "without-graph");

        await new ReasoningStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);

        using var estimate = JsonDocument.Parse(File.ReadAllText(dir.Combine("estimate.json")));
        estimate.RootElement.GetProperty("online_client").GetString().Should().Be("sdk");
        estimate.RootElement.GetProperty("online_requests_per_sample").GetInt32().Should().Be(3);
        estimate.RootElement.GetProperty("estimated_online_prompt_tokens").GetInt64().Should().Be(3 * estimate.RootElement.GetProperty("estimated_prompt_tokens").GetInt64());
    }

    [Fact]
    public void Should_SplitByBytes_When_FileWouldPassByteLimit()
    {
        using var dir = new TempDirectory();
        using var writer = new BatchFileWriter(dir.Path, "requests", LlmProvider.Azure, "dep", false, maxRequests: 50_000, maxBytes: 4096);
        var request = new ChatRequest { Messages = [ChatMessage.User(new string('x', 1500))], N = 3, Temperature = 0.5, MaxTokens = 100 };
        for (var i = 0; i < 7; i++)
        {
            writer.Write("id-" + i, request);
        }

        writer.Complete();

        writer.Files.Should().HaveCount(4);
        writer.Files.Should().AllSatisfy(f =>
        {
            new FileInfo(f).Length.Should().BeLessThanOrEqualTo(4096);
            BatchSchema.Validate(f, BatchFileWriter.AzureUrl).Should().BeEmpty();
        });
        writer.Files.Sum(f => File.ReadLines(f).Count()).Should().Be(7);
    }

    [Fact]
    public async Task Should_SubmitPollAndIngest_When_BatchApiIsAvailable()
    {
        using var dir = new TempDirectory();
        var uploaded = new ConcurrentDictionary<string, string>();
        var polls = 0;
        await using var server = new LoopbackChatServer((r, _) =>
        {
            if (r.Method == "POST" && r.Path == "/v1/files")
            {
                var start = r.Body.IndexOf("{\"custom_id\"", StringComparison.Ordinal);
                var end = r.Body.LastIndexOf("}\n", StringComparison.Ordinal) + 2;
                var id = "file-in-" + uploaded.Count;
                uploaded[id] = r.Body[start..end];
                return FakeHttpResponse.Json("{\"id\":\"" + id + "\",\"object\":\"file\",\"purpose\":\"batch\"}");
            }

            if (r.Method == "POST" && r.Path == "/v1/batches")
            {
                using var b = JsonDocument.Parse(r.Body);
                b.RootElement.GetProperty("endpoint").GetString().Should().Be("/v1/chat/completions");
                b.RootElement.GetProperty("completion_window").GetString().Should().Be("24h");
                return FakeHttpResponse.Json("{\"id\":\"batch-" + b.RootElement.GetProperty("input_file_id").GetString() + "\",\"status\":\"validating\"}");
            }

            if (r.Method == "GET" && r.Path.StartsWith("/v1/batches/", StringComparison.Ordinal))
            {
                var input = r.Path["/v1/batches/batch-".Length..];
                return Interlocked.Increment(ref polls) <= 1
                    ? FakeHttpResponse.Json("{\"id\":\"x\",\"status\":\"in_progress\"}")
                    : FakeHttpResponse.Json("{\"id\":\"x\",\"status\":\"completed\",\"output_file_id\":\"out-" + input + "\"}");
            }

            if (r.Method == "GET" && r.Path.StartsWith("/v1/files/out-", StringComparison.Ordinal))
            {
                var input = r.Path["/v1/files/out-".Length..^"/content".Length];
                var lines = uploaded[input].Split('\n', StringSplitOptions.RemoveEmptyEntries).Select((line, i) =>
                {
                    using var req = JsonDocument.Parse(line);
                    var body = req.RootElement.GetProperty("body");
                    var customId = req.RootElement.GetProperty("custom_id").GetString()!;
                    if (customId.StartsWith("prescriptions", StringComparison.Ordinal))
                    {
                        return "{\"id\":\"r" + i + "\",\"custom_id\":\"" + customId + "\",\"response\":{\"status_code\":400,\"body\":{}},\"error\":null}";
                    }

                    var completion = LoopbackChatServer.Completion(new FakeHttpRequest("POST", "/", new Dictionary<string, string>(), body.GetRawText()), FakeChains.Good);
                    return "{\"id\":\"r" + i + "\",\"custom_id\":\"" + customId + "\",\"response\":{\"status_code\":200,\"request_id\":\"q\",\"body\":" + completion.Body + "},\"error\":null}";
                });
                return new FakeHttpResponse(200, string.Join("\n", lines) + "\n") { ContentType = "application/octet-stream" };
            }

            return LoopbackChatServer.Error(404, "not_found");
        });
        var endpoint = Endpoint(server);
        await new ReasoningStage(NullLogger.Instance).RunAsync(Settings(dir.Path, endpoint, "without-graph") with { PrepareOnly = true, BatchMaxRequestsPerFile = 3 }, null, CancellationToken.None);
        using var http = ChatEndpointClient.CreateHttpClient(2);
        var client = new BatchClient(endpoint, http, NullLogger.Instance);
        var batchDir = dir.Combine("batch");

        var submitted = await client.SubmitAsync(batchDir, CancellationToken.None);
        var resubmitted = await client.SubmitAsync(batchDir, CancellationToken.None);
        var firstPoll = await client.PollAsync(batchDir, CancellationToken.None);
        var secondPoll = await client.PollAsync(batchDir, CancellationToken.None);
        var counts = await BatchIngest.RunAsync(dir.Path, [], PriceTable.Default, CancellationToken.None);
        var again = await BatchIngest.RunAsync(dir.Path, [], PriceTable.Default, CancellationToken.None);

        submitted.Should().HaveCount(2);
        uploaded.Should().HaveCount(2, "a rerun of submit must not upload twice");
        resubmitted.Select(s => s.BatchId).Should().Equal(submitted.Select(s => s.BatchId));
        firstPoll.Should().Contain(s => !s.IsTerminal);
        secondPoll.Should().OnlyContain(s => s.Status == "completed");
        counts["ingested"].Should().Be(4);
        counts["failed"].Should().Be(1);
        again["ingested"].Should().Be(0);
        var results = Lines(dir.Combine(ReasoningSettings.ResultsFile));
        results.Should().HaveCount(4).And.OnlyContain(l => l.GetProperty("source").GetString() == "batch" && l.GetProperty("chains").GetArrayLength() == 3);
    }
}
