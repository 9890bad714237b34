using System.Text.Json.Nodes;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evaluation.Endpoint;
using EhrR1.Graph.Evaluation.Metrics;
using EhrR1.Graph.Evaluation.Predictions;
using EhrR1.Graph.Evaluation.Running;
using EhrR1.Graph.Evaluation.Scoring;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.TestSupport.Http;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Evaluation.Tests;

/// <summary>
/// Evaluation through the reasoning stage's chat client against a loopback OpenAI-compatible server that answers risk
/// prompts with top log-probabilities ("yes"/"Yes"/"no" variants) and injects a 429 and a permanent 400.
/// </summary>
public sealed class EndpointEvaluationTests
{
    [Fact]
    public async Task Should_ReadPYesFromLogprobsRetryThrottlingAndResumeFailures_When_EvaluatingAnEndpoint()
    {
        using var dir = new TempDirectory();
        var bench = dir.Combine("bench.jsonl");
        SyntheticBench.Write(bench, risk: 40, decision: 10);
        var badSample = "labevents:20003:5";
        var failBad = true;
        var throttled = 0;
        var requests = new List<JsonObject>();

        await using var server = new LoopbackChatServer((request, n) =>
        {
            var body = JsonNode.Parse(request.Body)!.AsObject();
            lock (requests)
            {
                requests.Add(body);
            }

            var user = body["messages"]![1]!["content"]!.GetValue<string>();
            if (n == 3)
            {
                Interlocked.Increment(ref throttled);
                return LoopbackChatServer.Error(429, "rate_limit", TimeSpan.Zero);
            }

            if (failBad && user.Contains("case 3\n", StringComparison.Ordinal))
            {
                return LoopbackChatServer.Error(400, "context_length_exceeded");
            }

            return body["top_logprobs"] is not null ? RiskAnswer(SyntheticBench.ScoreIn(user)) : SetAnswer();
        });

        var options = new ChatEndpointOptions
        {
            Endpoint = server.OpenAiEndpoint,
            Model = "ehr-r1-fake",
            MaxConcurrency = 4,
            InitialBackoff = TimeSpan.FromMilliseconds(10),
            MaxBackoff = TimeSpan.FromMilliseconds(50),
        };
        var settings = new EvaluationRunSettings
        {
            BenchPath = bench,
            OutputDirectory = dir.Combine("eval"),
            Scoring = new ScoringSettings { BootstrapResamples = 200 },
        };
        var runner = new EvaluationRunner(NullLogger<EvaluationRunner>.Instance);

        await using (var predictor = new ChatEndpointPredictor(new ChatEndpointClient(options), new EndpointPredictorSettings()))
        {
            var summary = await runner.PredictAsync(settings, predictor, new Progress<StageProgress>(), CancellationToken.None);
            summary.Should().Match<PredictionRunSummary>(s => s.Predicted == 49 && s.Failed == 1);
        }

        throttled.Should().Be(1);
        var predictions = await PredictionStore.LoadAsync(settings.PredictionsFile, CancellationToken.None);
        predictions.Should().NotContainKey(badSample);

        // risk requests asked for one token with 20 alternatives, greedy; P(yes) = the score behind the prompt
        var riskBodies = requests.Where(r => r["top_logprobs"] is not null).ToList();
        riskBodies.Should().OnlyContain(r => r["max_tokens"]!.GetValue<int>() == 1 && r["top_logprobs"]!.GetValue<int>() == 20 && r["temperature"]!.GetValue<double>() == 0);
        riskBodies.Should().OnlyContain(r => r["messages"]![1]!["content"]!.GetValue<string>().EndsWith("/no_think", StringComparison.Ordinal));
        foreach (var p in predictions.Values.Where(p => p.Task == SyntheticBench.RiskTask))
        {
            p.ProbabilitySource.Should().Be(LogprobReader.Complete);
            var line = (await File.ReadAllLinesAsync(bench)).Single(l => l.Contains(p.SampleId, StringComparison.Ordinal));
            p.PYes.Should().BeApproximately(Clamp(SyntheticBench.ScoreIn(line)), 1e-9);
        }

        // resume: only the failed sample is requested again
        failBad = false;
        var before = server.RequestCount;
        await using (var predictor = new ChatEndpointPredictor(new ChatEndpointClient(options), new EndpointPredictorSettings()))
        {
            var summary = await runner.PredictAsync(settings, predictor, new Progress<StageProgress>(), CancellationToken.None);
            summary.Should().Match<PredictionRunSummary>(s => s.AlreadyDone == 49 && s.Predicted == 1 && s.Failed == 0);
        }

        server.RequestCount.Should().Be(before + 1);
        var (result, _, _) = await EvaluationScoring.ScoreAsync(settings, "ehr-r1-fake", null, CancellationToken.None);
        result.Scored.Should().Be(50);
        var all = await PredictionStore.LoadAsync(settings.PredictionsFile, CancellationToken.None);
        var riskTask = result.Tasks.Single(t => t.Task == SyntheticBench.RiskTask);
        var lines = await File.ReadAllLinesAsync(bench);
        var riskLines = lines.Where(l => l.Contains("score=", StringComparison.Ordinal)).ToList();
        var labels = riskLines.Select(l => l.Contains("\"output\":\"yes\"", StringComparison.Ordinal)).ToList();
        var expected = RocAnalysis.Auroc(riskLines.Select(l => Clamp(SyntheticBench.ScoreIn(l))).ToList(), labels);
        riskTask.Primary.Value.Should().BeApproximately(expected!.Value, 1e-9);
        result.Tasks.Single(t => t.Task == SyntheticBench.SetTask).Metrics[EvaluationScorer.Recall].Should().BeGreaterThan(0);
        all.Should().HaveCount(50);
    }

    [Fact]
    public void Should_ReadAfterThinkBlockAndMarkPartial_When_OnlyOneAnswerTokenIsListed()
    {
        IReadOnlyList<TokenLogprob> positions =
        [
            new("<think>", -0.01, [new("<think>", -0.01), new("no", -6.0)]),
            new("</think>", -0.01, [new("</think>", -0.01)]),
            new("Yes", -0.2, [new("Yes", -0.2), new(" yes", -2.0), new("Maybe", -3.0)]),
        ];
        var (lpYes, lpNo, pYes, source) = LogprobReader.Read(positions);
        source.Should().Be(LogprobReader.Partial);
        lpNo.Should().Be(-3.0);
        lpYes.Should().BeApproximately(Math.Log(Math.Exp(-0.2) + Math.Exp(-2.0)), 1e-12);
        pYes.Should().BeApproximately(Math.Exp(lpYes!.Value) / (Math.Exp(lpYes.Value) + Math.Exp(-3.0)), 1e-12);
    }

    private static double Clamp(double s) => Math.Clamp(s, 0.001, 0.999);

    private static FakeHttpResponse RiskAnswer(double score)
    {
        var s = Clamp(score);
        var top = new JsonArray(
            new JsonObject { ["token"] = "yes", ["logprob"] = Math.Log(s * 0.75) },
            new JsonObject { ["token"] = "no", ["logprob"] = Math.Log(1 - s) },
            new JsonObject { ["token"] = "Yes", ["logprob"] = Math.Log(s * 0.25) },
            new JsonObject { ["token"] = "maybe", ["logprob"] = -30.0 });
        var chosen = s >= 0.5 ? "yes" : "no";
        var body = new JsonObject
        {
            ["id"] = "chatcmpl-risk",
            ["object"] = "chat.completion",
            ["model"] = "ehr-r1-fake",
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = chosen },
                ["logprobs"] = new JsonObject
                {
                    ["content"] = new JsonArray(new JsonObject
                    {
                        ["token"] = chosen,
                        ["logprob"] = s >= 0.5 ? Math.Log(s * 0.75) : Math.Log(1 - s),
                        ["top_logprobs"] = top,
                    }),
                },
                ["finish_reason"] = "length",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 50, ["completion_tokens"] = 1 },
        };
        return FakeHttpResponse.Json(body.ToJsonString());
    }

    private static FakeHttpResponse SetAnswer() =>
        FakeHttpResponse.Json(new JsonObject
        {
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = "Glucose\nAlbumin" },
                ["finish_reason"] = "stop",
            }),
            ["usage"] = new JsonObject { ["prompt_tokens"] = 40, ["completion_tokens"] = 4 },
        }.ToJsonString());
}
