using System.Diagnostics;
using System.Threading.Channels;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Evaluation.Bench;
using EhrR1.Graph.Evaluation.Predictions;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Evaluation.Running;

/// <summary>What <see cref="EvaluationRunner.PredictAsync"/> did.</summary>
public sealed record PredictionRunSummary(int Selected, int AlreadyDone, int Predicted, int Failed, long TornBytesRemoved, double ElapsedSeconds);

/// <summary>
/// Runs a predictor over the pending samples of a bench and appends each outcome to the predictions file as it
/// arrives. Samples already in the file are skipped (resume); a sample whose request failed for good stays pending,
/// so running the same command again retries exactly the missing samples, and nothing is predicted twice.
/// Requests are batched per kind (generation, yes/no) in bench order; the order of lines in the predictions file
/// follows completion, but every consumer reads it keyed by sample id, so results are deterministic.
/// </summary>
public sealed class EvaluationRunner(ILogger<EvaluationRunner> logger)
{
    /// <summary>Reads the bench's gold data (no EHR text), applying the task filter and the per-task limit.</summary>
    public static async Task<List<BenchSample>> SelectSamplesAsync(EvaluationRunSettings settings, bool includeText, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var perTask = new Dictionary<string, int>(StringComparer.Ordinal);
        var result = new List<BenchSample>();
        await foreach (var sample in EhrBenchReader.ReadAsync(settings.BenchPath, includeText, cancellationToken))
        {
            if (Selected(settings, perTask, sample))
            {
                result.Add(sample);
            }
        }

        return result;
    }

    public async Task<PredictionRunSummary> PredictAsync(
        EvaluationRunSettings settings,
        IEhrBenchPredictor predictor,
        IProgress<StageProgress> progress,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(predictor);
        ArgumentNullException.ThrowIfNull(progress);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        var clock = Stopwatch.StartNew();

        var gold = await SelectSamplesAsync(settings, includeText: false, cancellationToken);
        await using var store = await PredictionStore.OpenAsync(settings.PredictionsFile, cancellationToken);
        if (store.TornBytesRemoved > 0)
        {
            LogMessages.TornLineRemoved(logger, store.TornBytesRemoved);
        }

        var pending = new HashSet<string>(gold.Where(s => !store.Existing.ContainsKey(s.SampleId)).Select(s => s.SampleId), StringComparer.Ordinal);
        var alreadyDone = gold.Count - pending.Count;
        LogMessages.RunStarting(logger, predictor.Description, gold.Count, alreadyDone, pending.Count);
        if (pending.Count == 0)
        {
            return new PredictionRunSummary(gold.Count, alreadyDone, 0, 0, store.TornBytesRemoved, clock.Elapsed.TotalSeconds);
        }

        var batches = Channel.CreateBounded<IReadOnlyList<PredictionRequest>>(new BoundedChannelOptions(Math.Max(2, predictor.MaxConcurrentBatches * 2))
        {
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = linked.Token;
        long predicted = 0, failed = 0;
        var total = pending.Count;

        var producer = Task.Run(
            async () =>
            {
                try
                {
                    var buffers = new Dictionary<PredictionKind, List<PredictionRequest>>();
                    var perTask = new Dictionary<string, int>(StringComparer.Ordinal);
                    await foreach (var sample in EhrBenchReader.ReadAsync(settings.BenchPath, includeText: true, token))
                    {
                        if (!Selected(settings, perTask, sample) || !pending.Contains(sample.SampleId))
                        {
                            continue;
                        }

                        var request = EhrBenchPrompt.Build(sample, settings.Prompt);
                        if (!buffers.TryGetValue(request.Kind, out var buffer))
                        {
                            buffer = [];
                            buffers[request.Kind] = buffer;
                        }

                        buffer.Add(request);
                        if (buffer.Count >= predictor.MaxBatchSize)
                        {
                            await batches.Writer.WriteAsync(buffer.ToArray(), token);
                            buffer.Clear();
                        }
                    }

                    foreach (var buffer in buffers.Values.Where(b => b.Count > 0))
                    {
                        await batches.Writer.WriteAsync(buffer.ToArray(), token);
                    }

                    batches.Writer.Complete();
                }
                catch (Exception ex)
                {
                    batches.Writer.Complete(ex);
                    throw;
                }
            },
            token);

        var workers = Enumerable.Range(0, Math.Max(1, predictor.MaxConcurrentBatches)).Select(_ => Task.Run(
            async () =>
            {
                try
                {
                    await RunWorkerAsync();
                }
                catch (Exception)
                {
                    // fail fast: stop the producer and the other workers
                    await linked.CancelAsync();
                    throw;
                }
            },
            token)).ToList();

        async Task RunWorkerAsync()
        {
            await foreach (var batch in batches.Reader.ReadAllAsync(token))
            {
                var watch = Stopwatch.StartNew();
                var outcomes = await predictor.PredictAsync(batch, token);
                var perSampleMs = watch.Elapsed.TotalMilliseconds / Math.Max(1, batch.Count);
                var tasks = batch.ToDictionary(r => r.SampleId, r => r.Task, StringComparer.Ordinal);
                foreach (var outcome in outcomes)
                {
                    if (!tasks.TryGetValue(outcome.SampleId, out var task))
                    {
                        throw new InvalidOperationException("The predictor returned an outcome for a sample that was not in its batch.");
                    }

                    if (outcome.Error is not null)
                    {
                        Interlocked.Increment(ref failed);
                        LogMessages.SampleFailed(logger, outcome.SampleId, outcome.Error);
                        continue;
                    }

                    store.Append(new PredictionRecord
                    {
                        SampleId = outcome.SampleId,
                        Task = task,
                        Text = outcome.Text,
                        PYes = outcome.PYes,
                        LogProbYes = outcome.LogProbYes,
                        LogProbNo = outcome.LogProbNo,
                        ProbabilitySource = outcome.ProbabilitySource,
                        PromptTokens = outcome.PromptTokens,
                        CompletionTokens = outcome.CompletionTokens,
                        FinishReason = outcome.FinishReason,
                        ElapsedMs = Math.Round(perSampleMs, 1),
                    });
                    var done = Interlocked.Increment(ref predicted);
                    progress.Report(new StageProgress("predict", done + Interlocked.Read(ref failed), total, "samples"));
                }
            }
        }

        var all = workers.Append(producer).ToList();
        try
        {
            await Task.WhenAll(all);
        }
        catch (Exception) when (!cancellationToken.IsCancellationRequested)
        {
            // surface the first real failure, not the cancellations it caused in the other workers
            var first = all.Where(t => t.IsFaulted).SelectMany(t => t.Exception!.InnerExceptions).FirstOrDefault(e => e is not OperationCanceledException);
            if (first is not null)
            {
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(first).Throw();
            }

            throw;
        }

        LogMessages.RunFinished(logger, predicted, failed, clock.Elapsed.TotalSeconds);
        return new PredictionRunSummary(gold.Count, alreadyDone, (int)predicted, (int)failed, store.TornBytesRemoved, clock.Elapsed.TotalSeconds);
    }

    private static double? Finite(double? value) => value is { } v && double.IsFinite(v) ? v : null;

    private static bool Selected(EvaluationRunSettings settings, Dictionary<string, int> perTask, BenchSample sample)
    {
        if (settings.Tasks.Count > 0 && !settings.Tasks.Contains(sample.Task))
        {
            return false;
        }

        var seen = perTask.GetValueOrDefault(sample.Task);
        if (settings.MaxPerTask > 0 && seen >= settings.MaxPerTask)
        {
            return false;
        }

        perTask[sample.Task] = seen + 1;
        return true;
    }
}
