using System.Collections.Concurrent;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.TestSupport.Http;
using EhrR1.Graph.TestSupport;
using static EhrR1.Graph.Reasoning.Tests.Endpoints.ChatEndpointClientTests;

namespace EhrR1.Graph.Reasoning.Tests.Endpoints;

/// <summary>
/// The SDK-backed client (<c>--client sdk</c>: Azure.AI.OpenAI / OpenAI SDK as an M.E.AI IChatClient) against the
/// loopback server: what it sends, what it makes of recorded and broken answers. The fault / retry / circuit
/// theories shared with the HTTP client are in <see cref="ChatEndpointClientTests"/>.
/// </summary>
public sealed class SdkChatClientTests
{
    private static readonly string Recorded = File.ReadAllText(TestPaths.TestData("reasoning", "chat-completion.recorded.json"));

    [Fact]
    public async Task Should_ParseRecordedResponse_And_SendOpenAiShape_When_OpenAiCompatible()
    {
        var seen = new ConcurrentQueue<FakeHttpRequest>();
        await using var server = new LoopbackChatServer((r, _) =>
        {
            seen.Enqueue(r);
            return FakeHttpResponse.Json(Recorded);
        });
        using var client = new ChatEndpointClient(Options(server, client: ChatClientKind.Sdk));

        var result = await client.CompleteAsync(Request(), CancellationToken.None);

        var choice = result.Choices.Should().ContainSingle().Subject;
        choice.Content.Should().StartWith("## Extraction\n**Lab Results [2153-07-07 08:00]**").And.EndWith("## Final Results\nCreatinine");
        choice.FinishReason.Should().Be("stop");
        result.Usage.Should().Be(new TokenUsage(412, 57));
        result.Model.Should().Be("gpt-4o-2024-08-06");
        result.Id.Should().Be("chatcmpl-AbC123recorded");
        result.Requests.Should().Be(1);
        var request = seen.Should().ContainSingle().Subject;
        request.Path.Should().Be("/v1/chat/completions");
        request.Headers["authorization"].Should().Be("Bearer test-key");
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.GetProperty("model").GetString().Should().Be("gpt-4o");
        body.RootElement.GetProperty("messages").GetArrayLength().Should().Be(2);
        body.RootElement.GetProperty("messages")[0].GetProperty("role").GetString().Should().Be("system");
        body.RootElement.GetProperty("temperature").GetDouble().Should().Be(0.5);
        body.RootElement.GetProperty("max_tokens").GetInt32().Should().Be(50, "max_tokens is the default field, as with the HTTP client");
        body.RootElement.TryGetProperty("max_completion_tokens", out _).Should().BeFalse();
        body.RootElement.TryGetProperty("n", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Should_SendMaxCompletionTokens_When_Asked()
    {
        string? body = null;
        await using var server = new LoopbackChatServer((r, _) =>
        {
            body = r.Body;
            return FakeHttpResponse.Json(Recorded);
        });
        using var client = new ChatEndpointClient(Options(server, client: ChatClientKind.Sdk) with { UseMaxCompletionTokens = true });

        await client.CompleteAsync(Request(), CancellationToken.None);

        using var doc = JsonDocument.Parse(body!);
        doc.RootElement.GetProperty("max_completion_tokens").GetInt32().Should().Be(50);
        doc.RootElement.TryGetProperty("max_tokens", out _).Should().BeFalse();
    }

    [Fact]
    public async Task Should_SendApiKeyHeaderAndDeploymentPath_When_Azure()
    {
        var seen = new ConcurrentQueue<FakeHttpRequest>();
        await using var server = new LoopbackChatServer((r, _) =>
        {
            seen.Enqueue(r);
            return FakeHttpResponse.Json(Recorded);
        });
        using var client = new ChatEndpointClient(Options(server, LlmProvider.Azure, ChatClientKind.Sdk) with { Model = "my-deploy" });

        var result = await client.CompleteAsync(Request(), CancellationToken.None);

        result.Choices.Should().ContainSingle();
        var request = seen.Should().ContainSingle().Subject;
        request.Path.Should().Be("/openai/deployments/my-deploy/chat/completions");
        request.Query.Should().Contain("api-version=" + ChatEndpointOptions.DefaultAzureApiVersion);
        request.Headers["api-key"].Should().Be("test-key");
        request.Headers.Should().NotContainKey("authorization");
        using var body = JsonDocument.Parse(request.Body);
        body.RootElement.TryGetProperty("max_tokens", out var maxTokens).Should().BeTrue(request.Body);
        maxTokens.GetInt32().Should().Be(50);
    }

    [Fact]
    public async Task Should_SendNSingleChoiceRequests_And_BillThePromptNTimes_When_NIsThree()
    {
        var seeds = new ConcurrentQueue<long>();
        await using var server = new LoopbackChatServer((r, arrival) =>
        {
            using var doc = JsonDocument.Parse(r.Body);
            doc.RootElement.TryGetProperty("n", out _).Should().BeFalse();
            seeds.Enqueue(doc.RootElement.GetProperty("seed").GetInt64());
            return LoopbackChatServer.Completion(r, (b, _) => "chain with seed " + b.GetProperty("seed").GetInt64());
        });
        using var sdk = new ChatEndpointClient(Options(server, client: ChatClientKind.Sdk));
        using var http = new ChatEndpointClient(Options(server));

        var fanned = await sdk.CompleteAsync(Request(n: 3) with { Seed = 7 }, CancellationToken.None);
        var single = await http.CompleteAsync(Request(n: 1) with { Seed = 7 }, CancellationToken.None);

        server.RequestCount.Should().Be(4);
        seeds.Take(3).Should().BeEquivalentTo([7L, 8L, 9L], "each of the n requests gets its own seed, or the chains would be identical");
        fanned.Choices.Select(c => c.Index).Should().Equal(0, 1, 2);
        fanned.Choices.Select(c => c.Content).Should().BeEquivalentTo("chain with seed 7", "chain with seed 8", "chain with seed 9");
        fanned.Requests.Should().Be(3);
        fanned.Attempts.Should().Be(3);
        fanned.Usage.PromptTokens.Should().Be(3 * single.Usage.PromptTokens, "the prompt is billed once per request");
        sdk.RequestsPerCall(3).Should().Be(3);
        http.RequestsPerCall(3).Should().Be(1);
    }

    [Fact]
    public async Task Should_FailTheSample_When_OneOfTheNRequestsFailsForGood()
    {
        await using var server = new LoopbackChatServer((r, n) => n == 2
            ? LoopbackChatServer.Error(400, "content_filter")
            : LoopbackChatServer.Completion(r, (_, _) => "ok", TimeSpan.FromMilliseconds(200)));
        using var client = new ChatEndpointClient(Options(server, client: ChatClientKind.Sdk) with { MaxConcurrency = 3 });

        var act = () => client.CompleteAsync(Request(n: 3), CancellationToken.None);

        (await act.Should().ThrowAsync<ChatRequestFailedException>()).Which.Reason.Should().Be("http_400");
    }

    [Fact]
    public async Task Should_RequestAndReturnLogprobs_When_TopLogprobsIsSet()
    {
        string? body = null;
        await using var server = new LoopbackChatServer((r, _) =>
        {
            body = r.Body;
            return LoopbackChatServer.Completion(r, (_, _) => "yes");
        });
        using var client = new ChatEndpointClient(Options(server, client: ChatClientKind.Sdk));

        var result = await client.CompleteAsync(Request(topLogprobs: 2), CancellationToken.None);

        result.Choices[0].Logprobs.Should().ContainSingle().Which.TopLogprobs.Select(t => t.Token).Should().Equal("yes", "no");
        using var doc = JsonDocument.Parse(body!);
        doc.RootElement.GetProperty("logprobs").GetBoolean().Should().BeTrue();
        doc.RootElement.GetProperty("top_logprobs").GetInt32().Should().Be(2);
    }

    [Theory]
    [InlineData("empty", "retries_exhausted_empty_choices")]
    [InlineData("truncated", "retries_exhausted_unreadable_response")]
    [InlineData("garbage", "retries_exhausted_unreadable_response")]
    [InlineData("timeout", "retries_exhausted_timeout")]
    public async Task Should_RecordFailureReason_When_EveryAnswerIsUnusable(string fault, string reason)
    {
        await using var server = new LoopbackChatServer((r, _) =>
        {
            var good = LoopbackChatServer.Completion(r, (_, _) => "ok");
            return fault switch
            {
                "empty" => FakeHttpResponse.Json("{\"id\":\"x\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":0,\"total_tokens\":3}}"),
                "truncated" => good with { TruncateBodyTo = good.Body.Length / 2 },
                "garbage" => FakeHttpResponse.Json(good.Body[..(good.Body.Length / 2)]),
                _ => good with { Delay = TimeSpan.FromSeconds(2) },
            };
        });
        using var client = new ChatEndpointClient(Options(server, client: ChatClientKind.Sdk) with
        {
            MaxRetries = 1,
            // Only the timeout case relies on the timeout; the others get room for a cold SDK on a loaded machine.
            RequestTimeout = fault == "timeout" ? TimeSpan.FromMilliseconds(500) : TimeSpan.FromSeconds(10),
        });

        var act = () => client.CompleteAsync(Request(), CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<ChatRequestFailedException>()).Which;
        ex.Reason.Should().Be(reason);
        ex.Attempts.Should().Be(2);
        server.RequestCount.Should().Be(2);
    }

    [Theory]
    [InlineData("2024-10-21", "V2024_10_21")]
    [InlineData("2025-04-01-preview", "V2025_04_01_Preview")]
    public void Should_MapApiVersion_When_KnownToTheSdk(string text, string expected) =>
        SdkChatClients.AzureServiceVersion(text).ToString().Should().Be(expected);

    [Fact]
    public void Should_ExplainTheChoice_When_ApiVersionIsUnknownToTheSdk() =>
        FluentActions.Invoking(() => SdkChatClients.AzureServiceVersion("2099-01-01"))
            .Should().Throw<StageConfigurationException>().WithMessage("*2024-10-21*--client http*");
}
