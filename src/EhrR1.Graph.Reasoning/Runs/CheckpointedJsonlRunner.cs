using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Threading.Channels;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Reasoning.Endpoints;

namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>
/// Runs an async work function over a stream of inputs with bounded concurrency and writes one JSONL line per
/// result, keyed by a sample id, so that a long run can be killed at any moment (even <c>kill -9</c>) and rerun:
/// <list type="number">
/// <item>on start, a torn last line of the output is truncated and the keys of the complete lines are loaded
/// (as 128-bit digests) — those inputs are skipped;</item>
/// <item>inputs are streamed: at most <see cref="CheckpointedRunSettings.MaxConcurrency"/> are in memory;</item>
/// <item>a single writer appends results in completion order and flushes + fsyncs every
/// <see cref="CheckpointedRunSettings.SyncEveryLines"/> lines or <see cref="CheckpointedRunSettings.SyncInterval"/>;</item>
/// <item>a <see cref="ChatRequestFailedException"/> or <see cref="SampleFailedException"/> records a
/// <see cref="FailureRecord"/> (retried by the next run); an <see cref="ExternalServiceException"/> (open circuit)
/// stops the run cleanly after in-flight work has been written and is rethrown; cancellation likewise.</item>
/// </list>
/// </summary>
public sealed class CheckpointedJsonlRunner<TIn, TOut>
{
    private readonly CheckpointedRunSettings _settings;
    private readonly Func<TIn, string> _keyOf;
    private readonly Func<TIn, CancellationToken, Task<TOut>> _work;
    private readonly JsonSerializerOptions _json;

    public CheckpointedJsonlRunner(
        CheckpointedRunSettings settings,
        Func<TIn, string> keyOf,
        Func<TIn, CancellationToken, Task<TOut>> work,
        JsonSerializerOptions? jsonOptions = null)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(keyOf);
        ArgumentNullException.ThrowIfNull(work);
        ArgumentOutOfRangeException.ThrowIfLessThan(settings.MaxConcurrency, 1);
        _settings = settings;
        _keyOf = keyOf;
        _work = work;
        _json = jsonOptions ?? JsonDefaults.Jsonl;
    }

    /// <summary>Called (from the writer) after each result line is written; e.g. for cost accounting.</summary>
    public Action<TOut>? OnResult { get; init; }

    public async Task<CheckpointedRunResult> RunAsync(
        IAsyncEnumerable<TIn> inputs,
        IProgress<StageProgress>? progress,
        long? totalHint,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var clock = Stopwatch.StartNew();
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_settings.OutputPath))!);
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(_settings.FailuresPath))!);
        var done = new SampleKeySet();
        var recovery = CheckpointFile.Recover(_settings.OutputPath, _settings.KeyProperty, done);
        var failureRecovery = CheckpointFile.Recover(_settings.FailuresPath, "sample_id", null);
        var seen = new SampleKeySet();

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var channel = Channel.CreateBounded<Written>(new BoundedChannelOptions(Math.Max(64, _settings.MaxConcurrency * 4)) { SingleReader = true });
        long completed = 0, failed = 0, alreadyDone = 0, duplicates = 0, processed = 0;
        Exception? fatal = null;
        var fatalGate = new Lock();

        var writerTask = Task.Run(
            async () =>
            {
                try
                {
                    await WriteLoopAsync(channel.Reader, r => Interlocked.Increment(ref completed), () => Interlocked.Increment(ref failed));
                }
                catch (Exception ex)
                {
                    // A write that fails (a full disk, a lost mount) stops the run: without this the bounded channel
                    // fills, every sample waits to post its result, and the run hangs with no message.
                    SetFatal(ex);
                    channel.Writer.TryComplete(ex);
                    throw;
                }
            },
            CancellationToken.None);
        using var slots = new SemaphoreSlim(_settings.MaxConcurrency, _settings.MaxConcurrency);

        // Posts a result to the writer; once the writer has failed the run is stopping and the result is dropped
        // (the sample is neither done nor failed, so the next run picks it up).
        async Task PostAsync(Written written)
        {
            try
            {
                await channel.Writer.WriteAsync(written, CancellationToken.None);
            }
            catch (ChannelClosedException) when (fatal is not null)
            {
            }
        }

        void SetFatal(Exception ex)
        {
            lock (fatalGate)
            {
                fatal ??= ex;
            }

            stop.Cancel();
        }

        async Task ProcessAsync(TIn item, string key)
        {
            try
            {
                var result = await _work(item, stop.Token);
                await PostAsync(new Written(key, result, null));
            }
            catch (ChatRequestFailedException ex)
            {
                await PostAsync(new Written(key, default, new FailureRecord(key, ex.Reason, ex.StatusCode, ex.Attempts, Now())));
            }
            catch (SampleFailedException ex)
            {
                await PostAsync(new Written(key, default, new FailureRecord(key, ex.Reason, null, 0, Now())));
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                // Stopping: the sample is neither done nor failed and will be picked up by the next run.
            }
            catch (Exception ex)
            {
                SetFatal(ex);
            }
            finally
            {
                // Release first: a throwing progress sink must never leave the drain below waiting for a slot.
                slots.Release();
                var p = Interlocked.Increment(ref processed);
                try
                {
                    progress?.Report(new StageProgress("samples", p + alreadyDone, totalHint, "samples"));
                }
                catch (Exception ex)
                {
                    SetFatal(ex);
                }
            }
        }

        try
        {
            await foreach (var item in inputs.WithCancellation(stop.Token))
            {
                var key = _keyOf(item);
                if (done.Contains(key))
                {
                    alreadyDone++;
                    continue;
                }

                if (!seen.Add(key))
                {
                    duplicates++;
                    continue;
                }

                await slots.WaitAsync(stop.Token);
                _ = ProcessAsync(item, key);
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            SetFatal(ex);
        }

        // Drain: wait until every started item has released its slot.
        for (var i = 0; i < _settings.MaxConcurrency; i++)
        {
            await slots.WaitAsync(CancellationToken.None);
        }

        channel.Writer.TryComplete();
        await writerTask;

        if (fatal is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(fatal).Throw();
        }

        cancellationToken.ThrowIfCancellationRequested();
        progress?.Report(new StageProgress("samples", processed + alreadyDone, totalHint, "samples"));
        return new CheckpointedRunResult(completed, failed, alreadyDone, duplicates, recovery.Lines, recovery.TruncatedBytes + failureRecovery.TruncatedBytes, clock.Elapsed);
    }

    private static string Now() => DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);

    private async Task WriteLoopAsync(ChannelReader<Written> reader, Action<TOut> onCompleted, Action onFailed)
    {
        await using var output = new FileStream(_settings.OutputPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        await using var failures = new FileStream(_settings.FailuresPath, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 12);
        using var outWriter = new JsonlWriter(output, _json, leaveOpen: true);
        using var failWriter = new JsonlWriter(failures, _json, leaveOpen: true);
        var sinceSync = 0;
        var lastSync = Stopwatch.StartNew();
        while (true)
        {
            bool more;
            using (var idle = new CancellationTokenSource(_settings.SyncInterval))
            {
                try
                {
                    more = await reader.WaitToReadAsync(idle.Token);
                }
                catch (OperationCanceledException)
                {
                    // Nothing arrived for a while: make what we have durable so a crash loses no finished work.
                    if (sinceSync > 0)
                    {
                        outWriter.Flush(durable: true);
                        failWriter.Flush(durable: true);
                        sinceSync = 0;
                        lastSync.Restart();
                    }

                    continue;
                }
            }

            if (!more)
            {
                break;
            }

            while (reader.TryRead(out var w))
            {
                if (w.Failure is { } f)
                {
                    failWriter.Write(f);
                    onFailed();
                }
                else
                {
                    outWriter.Write(w.Result);
                    onCompleted(w.Result!);
                    OnResult?.Invoke(w.Result!);
                }

                sinceSync++;
                if (sinceSync >= _settings.SyncEveryLines || lastSync.Elapsed >= _settings.SyncInterval)
                {
                    outWriter.Flush(durable: true);
                    failWriter.Flush(durable: true);
                    sinceSync = 0;
                    lastSync.Restart();
                }
            }
        }

        outWriter.Flush(durable: true);
        failWriter.Flush(durable: true);
    }

    private readonly record struct Written(string Key, TOut? Result, FailureRecord? Failure);
}
