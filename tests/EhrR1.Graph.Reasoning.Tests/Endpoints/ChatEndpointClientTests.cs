using System.Diagnostics;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.TestSupport.Http;

namespace EhrR1.Graph.Reasoning.Tests.Endpoints;

public sealed class ChatEndpointClientTests
{
    internal static ChatRequest Request(int n = 1, int? topLogprobs = null) => new()
    {
        Messages = [ChatMessage.System("sys"), ChatMessage.User("hello")],
        N = n,
        Temperature = 0.5,
        MaxTokens = 50,
        TopLogprobs = topLogprobs,
    };

    internal static ChatEndpointOptions Options(LoopbackChatServer server, LlmProvider provider = LlmProvider.OpenAi, ChatClientKind client = ChatClientKind.Http) => new()
    {
        Provider = provider,
        Client = client,
        Endpoint = provider == LlmProvider.Azure ? server.AzureEndpoint : server.OpenAiEndpoint,
        ApiKey = "test-key",
        Model = "gpt-4o",
        InitialBackoff = TimeSpan.FromMilliseconds(10),
        MaxBackoff = TimeSpan.FromMilliseconds(50),
        RequestTimeout = TimeSpan.FromSeconds(5),
    };

    [Fact]
    public async Task Should_SendOpenAiShape_And_ParseChoicesUsageLogprobs_When_ServerAnswers()
    {
        FakeHttpRequest? seen = null;
        await using var server = new LoopbackChatServer((r, _) =>
        {
            seen = r;
            return LoopbackChatServer.Completion(r, (_, i) => "answer " + i);
        });
        using var client = new ChatEndpointClient(Options(server));

        var result = await client.CompleteAsync(Request(n: 3, topLogprobs: 2), CancellationToken.None);

        result.Choices.Select(c => c.Content).Should().Equal("answer 0", "answer 1", "answer 2");
        result.Usage.CompletionTokens.Should().BeGreaterThan(0);
        result.Choices[0].Logprobs.Should().ContainSingle().Which.TopLogprobs.Select(t => t.Token).Should().Equal("yes", "no");
        seen!.Path.Should().Be("/v1/chat/completions");
        seen.Headers["authorization"].Should().Be("Bearer test-key");
        using var body = JsonDocument.Parse(seen.Body);
        body.RootElement.GetProperty("model").GetString().Should().Be("gpt-4o");
        body.RootElement.GetProperty("n").GetInt32().Should().Be(3);
        body.RootElement.GetProperty("temperature").GetDouble().Should().Be(0.5);
        body.RootElement.GetProperty("max_tokens").GetInt32().Should().Be(50);
        body.RootElement.GetProperty("logprobs").GetBoolean().Should().BeTrue();
        body.RootElement.GetProperty("top_logprobs").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task Should_UseAzureUrlAndApiKeyHeader_When_ProviderIsAzure()
    {
        FakeHttpRequest? seen = null;
        await using var server = new LoopbackChatServer((r, _) =>
        {
            seen = r;
            return LoopbackChatServer.Completion(r, (_, _) => "ok");
        });
        using var client = new ChatEndpointClient(Options(server, LlmProvider.Azure) with { Model = "my-deploy" });

        var result = await client.CompleteAsync(Request(), CancellationToken.None);

        result.Choices.Should().ContainSingle();
        seen!.Path.Should().Be("/openai/deployments/my-deploy/chat/completions");
        seen.Query.Should().Be("api-version=" + ChatEndpointOptions.DefaultAzureApiVersion);
        seen.Headers["api-key"].Should().Be("test-key");
        seen.Headers.Should().NotContainKey("authorization");
    }

    [Trait("Category", "Timing")]
    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_WaitRetryAfter_When_Server429s(ChatClientKind kind)
    {
        await using var server = new LoopbackChatServer((r, n) => n == 1
            ? LoopbackChatServer.Error(429, "rate_limit", TimeSpan.FromSeconds(1))
            : LoopbackChatServer.Completion(r, (_, _) => "ok"));
        using var client = new ChatEndpointClient(Options(server, client: kind));
        var clock = Stopwatch.StartNew();

        var result = await client.CompleteAsync(Request(), CancellationToken.None);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(950), "Retry-After: 1 must be honoured although the back-off is 10 ms");
        result.Attempts.Should().Be(2);
        client.Statistics.Throttled.Should().Be(1);
        server.RequestCount.Should().Be(2, "only our policy retries (the SDK's own retry policy is off)");
    }

    [Trait("Category", "Timing")]
    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_HonourRetryAfterMs_When_Present(ChatClientKind kind)
    {
        await using var server = new LoopbackChatServer((r, n) => n == 1
            ? LoopbackChatServer.Error(429, "rate_limit", TimeSpan.FromMilliseconds(300), retryAfterMs: true)
            : LoopbackChatServer.Completion(r, (_, _) => "ok"));
        using var client = new ChatEndpointClient(Options(server, client: kind));
        var clock = Stopwatch.StartNew();

        await client.CompleteAsync(Request(), CancellationToken.None);

        clock.Elapsed.Should().BeGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(280));
        clock.Elapsed.Should().BeLessThan(TimeSpan.FromSeconds(1.5));
    }

    [Theory]
    [InlineData("500", ChatClientKind.Http)]
    [InlineData("truncated", ChatClientKind.Http)]
    [InlineData("empty", ChatClientKind.Http)]
    [InlineData("timeout", ChatClientKind.Http)]
    [InlineData("drop", ChatClientKind.Http)]
    [InlineData("500", ChatClientKind.Sdk)]
    [InlineData("truncated", ChatClientKind.Sdk)]
    [InlineData("empty", ChatClientKind.Sdk)]
    [InlineData("timeout", ChatClientKind.Sdk)]
    [InlineData("drop", ChatClientKind.Sdk)]
    public async Task Should_RetryAndSucceed_When_FirstAnswerIsBad(string fault, ChatClientKind kind)
    {
        await using var server = new LoopbackChatServer((r, n) =>
        {
            if (n > 1)
            {
                return LoopbackChatServer.Completion(r, (_, _) => "ok");
            }

            var good = LoopbackChatServer.Completion(r, (_, _) => "ok");
            return fault switch
            {
                "500" => LoopbackChatServer.Error(500, "server_error"),
                "truncated" => good with { TruncateBodyTo = good.Body.Length / 2 },
                "empty" => FakeHttpResponse.Json("{\"id\":\"x\",\"object\":\"chat.completion\",\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":0}}"),
                "timeout" => good with { Delay = TimeSpan.FromSeconds(3) },
                _ => new FakeHttpResponse(200, string.Empty) { CloseWithoutResponse = true },
            };
        });
        using var client = new ChatEndpointClient(Options(server, client: kind) with
        {
            // Only the timeout case relies on the timeout; the others get room for a cold client on a loaded machine.
            RequestTimeout = fault == "timeout" ? TimeSpan.FromMilliseconds(800) : TimeSpan.FromSeconds(10),
        });

        var result = await client.CompleteAsync(Request(), CancellationToken.None);

        result.Choices.Should().ContainSingle().Which.Content.Should().Be("ok");
        result.Attempts.Should().Be(2);
        server.RequestCount.Should().Be(2);
    }

    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_FailSampleWithReason_When_RetriesAreExhausted(ChatClientKind kind)
    {
        await using var server = new LoopbackChatServer((_, _) => LoopbackChatServer.Error(503, "overloaded"));
        using var client = new ChatEndpointClient(Options(server, client: kind) with { MaxRetries = 2 });

        var act = () => client.CompleteAsync(Request(), CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<ChatRequestFailedException>()).Which;
        ex.Reason.Should().Be("retries_exhausted_http_503");
        ex.Attempts.Should().Be(3);
        server.RequestCount.Should().Be(3);
    }

    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_NotRetry_When_BadRequest(ChatClientKind kind)
    {
        await using var server = new LoopbackChatServer((_, _) => LoopbackChatServer.Error(400, "context_length_exceeded"));
        using var client = new ChatEndpointClient(Options(server, client: kind));

        var act = () => client.CompleteAsync(Request(), CancellationToken.None);

        (await act.Should().ThrowAsync<ChatRequestFailedException>()).Which.Reason.Should().Be("http_400");
        server.RequestCount.Should().Be(1);
    }

    [Theory]
    [InlineData(401, ChatClientKind.Http)]
    [InlineData(403, ChatClientKind.Http)]
    [InlineData(404, ChatClientKind.Http)]
    [InlineData(401, ChatClientKind.Sdk)]
    [InlineData(404, ChatClientKind.Sdk)]
    public async Task Should_OpenCircuitImmediately_When_KeyOrUrlIsWrong(int status, ChatClientKind kind)
    {
        await using var server = new LoopbackChatServer((_, _) => LoopbackChatServer.Error(status, "auth"));
        using var client = new ChatEndpointClient(Options(server, client: kind));

        var act = () => client.CompleteAsync(Request(), CancellationToken.None);

        var ex = (await act.Should().ThrowAsync<ExternalServiceException>()).Which;
        ex.ExitCode.Should().Be(ExitCodes.ServiceUnavailable);
        ex.Message.Should().NotContain("test-key");
        server.RequestCount.Should().Be(1);
        await client.Invoking(c => c.CompleteAsync(Request(), CancellationToken.None)).Should().ThrowAsync<ExternalServiceException>();
        server.RequestCount.Should().Be(1, "an open circuit sends nothing more");
    }

    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_OpenCircuit_When_EndpointIsDown(ChatClientKind kind)
    {
        int port;
        await using (var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, (_, _) => "ok")))
        {
            port = server.Port;
        }

        var options = new ChatEndpointOptions
        {
            Endpoint = new Uri("http://127.0.0.1:" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/v1"),
            Client = kind,
            ApiKey = "k",
            InitialBackoff = TimeSpan.FromMilliseconds(5),
            MaxBackoff = TimeSpan.FromMilliseconds(10),
            ConsecutiveConnectionFailureLimit = 4,
            MaxRetries = 10,
        };
        using var client = new ChatEndpointClient(options);

        var act = () => client.CompleteAsync(Request(), CancellationToken.None);

        (await act.Should().ThrowAsync<ExternalServiceException>()).Which.Code.Should().Be("EHR-LLM-DOWN");
    }

    [Theory]
    [InlineData(ChatClientKind.Http)]
    [InlineData(ChatClientKind.Sdk)]
    public async Task Should_NeverExceedConcurrency_When_ManyCallersWait(ChatClientKind kind)
    {
        await using var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, (_, _) => "ok", TimeSpan.FromMilliseconds(40)));
        using var client = new ChatEndpointClient(Options(server, client: kind) with { MaxConcurrency = 3 });

        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => client.CompleteAsync(Request(), CancellationToken.None)));

        server.PeakConcurrency.Should().BeLessThanOrEqualTo(3).And.BeGreaterThan(1);
    }

    [Fact]
    public void Should_ReadProviderAndKeys_When_EnvironmentIsSet()
    {
        var env = new Dictionary<string, string>
        {
            ["EHRR1_LLM_PROVIDER"] = "azure",
            ["EHRR1_LLM_ENDPOINT"] = "https://res.example",
            ["AZURE_OPENAI_API_KEY"] = "secret",
            ["EHRR1_LLM_DEPLOYMENT"] = "dep",
            ["EHRR1_LLM_CLIENT"] = "sdk",
        };

        var options = ChatEndpointOptions.FromEnvironment(k => env.GetValueOrDefault(k));

        options.Provider.Should().Be(LlmProvider.Azure);
        options.Model.Should().Be("dep");
        options.ApiKey.Should().Be("secret");
        options.Client.Should().Be(ChatClientKind.Sdk);
        ChatEndpointOptions.FromEnvironment(_ => null).Client.Should().Be(ChatClientKind.Http, "the HTTP client is the default");
        FluentActions.Invoking(() => ChatEndpointOptions.ParseClient("grpc")).Should().Throw<ArgumentException>();
        options.ToString().Should().NotContain("secret");
        ChatEndpointOptions.FromEnvironment(_ => null).IsConfigured.Should().BeFalse();
    }
}
