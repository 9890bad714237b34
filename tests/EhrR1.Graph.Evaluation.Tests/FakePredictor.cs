using EhrR1.Graph.Evaluation.Running;

namespace EhrR1.Graph.Evaluation.Tests;

/// <summary>
/// A deterministic in-process model for end-to-end tests: risk prompts get P(yes) = the "score=" in the prompt;
/// label-set prompts get a thinking block then the first gold label plus one wrong line. Can cancel the run after a
/// number of outcomes, to simulate an interruption.
/// </summary>
internal sealed class FakePredictor(IReadOnlyDictionary<string, string> goldBySample, int batchSize, int concurrentBatches) : IEhrBenchPredictor
{
    private int _outcomes;

    public CancellationTokenSource? CancelAfter { get; init; }

    public int CancelAfterOutcomes { get; init; } = int.MaxValue;

    public List<string> Seen { get; } = [];

    public string Description => "fake-model";

    public int MaxBatchSize => batchSize;

    public int MaxConcurrentBatches => concurrentBatches;

    public async Task<IReadOnlyList<PredictionOutcome>> PredictAsync(IReadOnlyList<PredictionRequest> batch, CancellationToken cancellationToken)
    {
        await Task.Yield();
        cancellationToken.ThrowIfCancellationRequested();
        var result = new List<PredictionOutcome>();
        foreach (var r in batch)
        {
            lock (Seen)
            {
                Seen.Add(r.SampleId);
            }

            if (r.Kind == PredictionKind.YesNo)
            {
                r.MaxNewTokens.Should().Be(1);
                var p = SyntheticBench.ScoreIn(r.UserPrompt);
                var lpYes = Math.Log(Math.Max(p, 1e-9));
                var lpNo = Math.Log(Math.Max(1 - p, 1e-9));
                result.Add(new PredictionOutcome
                {
                    SampleId = r.SampleId,
                    Text = p >= 0.5 ? "yes" : "no",
                    LogProbYes = lpYes,
                    LogProbNo = lpNo,
                    PYes = YesNoProbability.FromLogProbs(lpYes, lpNo),
                    ProbabilitySource = "logits",
                });
            }
            else
            {
                var first = goldBySample[r.SampleId].Split('\n')[0];
                result.Add(new PredictionOutcome { SampleId = r.SampleId, Text = "<think>\nreasoning\n</think>\n\n" + first + "\nAlbumin" });
            }

            if (Interlocked.Increment(ref _outcomes) >= CancelAfterOutcomes && CancelAfter is not null)
            {
                await CancelAfter.CancelAsync();
            }
        }

        return result;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
