using System.Globalization;
using EhrR1.Graph.Core.Pipeline;
using Spectre.Console;

namespace EhrR1.Graph.Cli.Hosting;

/// <summary>
/// Shows stage progress on stderr: a Spectre.Console progress bar (with rate and ETA) when stderr is a terminal,
/// otherwise one plain line every few seconds. Stage code only sees <see cref="IProgress{StageProgress}"/>.
/// </summary>
internal sealed class ProgressReporter(TextWriter error, bool isTerminal, string title, TimeProvider? clock = null)
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);
    private readonly TimeProvider time = clock ?? TimeProvider.System;

    public async Task<T> RunAsync<T>(Func<IProgress<StageProgress>, Task<T>> work)
    {
        ArgumentNullException.ThrowIfNull(work);
        if (isTerminal)
        {
            var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(error) });
            return await console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(
                    new TaskDescriptionColumn(),
                    new ProgressBarColumn(),
                    new PercentageColumn(),
                    new ElapsedTimeColumn(),
                    new RemainingTimeColumn(),
                    new SpinnerColumn())
                .StartAsync(async ctx =>
                {
                    var tasks = new Dictionary<string, ProgressTask>(StringComparer.Ordinal);
                    var sink = new Progress(p =>
                    {
                        lock (tasks)
                        {
                            if (!tasks.TryGetValue(p.Phase, out var t))
                            {
                                t = ctx.AddTask(Markup.Escape(title + ": " + p.Phase), autoStart: true, maxValue: p.Total ?? 100);
                                if (p.Total is null)
                                {
                                    t.IsIndeterminate = true;
                                }

                                tasks[p.Phase] = t;
                            }

                            if (p.Total is { } total)
                            {
                                t.MaxValue = Math.Max(1, total);
                                t.IsIndeterminate = false;
                            }

                            t.Value = p.Done;
                            t.Description = Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"{title}: {p.Phase} {p.Done:N0} {p.Unit}"));
                        }
                    });
                    var result = await work(sink);
                    lock (tasks)
                    {
                        foreach (var t in tasks.Values)
                        {
                            t.Value = t.MaxValue;
                            t.StopTask();
                        }
                    }

                    return result;
                });
        }

        var last = new Dictionary<string, TimeSpan>(StringComparer.Ordinal);
        var started = new Dictionary<string, (TimeSpan At, long Done)>(StringComparer.Ordinal);
        var origin = time.GetTimestamp();
        var gate = new Lock();
        var plain = new Progress(p =>
        {
            lock (gate)
            {
                var now = time.GetElapsedTime(origin);
                if (!started.TryGetValue(p.Phase, out var start))
                {
                    // a phase's rate counts from its own first report, not from the start of the command
                    started[p.Phase] = start = (now, p.Done);
                }

                var done = p.Total is { } tt && p.Done >= tt;
                if (last.TryGetValue(p.Phase, out var previous) && now - previous < PlainInterval && !done)
                {
                    return;
                }

                last[p.Phase] = now;
                var seconds = (now - start.At).TotalSeconds;
                var rate = seconds > 0 ? (p.Done - start.Done) / seconds : 0;
                var total = p.Total is { } t ? string.Create(CultureInfo.InvariantCulture, $"/{t:N0}") : string.Empty;
                var eta = p.Total is { } t2 && rate > 0 && t2 > p.Done ? string.Create(CultureInfo.InvariantCulture, $", eta {TimeSpan.FromSeconds((t2 - p.Done) / rate):hh\\:mm\\:ss}") : string.Empty;
                var paren = FormatRate(rate, seconds) is { } r ? $" ({r}{eta})" : string.Empty;
                error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{time.GetUtcNow():yyyy-MM-ddTHH:mm:ssZ} info  {title}: {p.Phase} {p.Done:N0}{total} {p.Unit}{paren}"));
                error.Flush();
            }
        });
        return await work(plain);
    }

    /// <summary>
    /// A rate that reads well at any speed: "12,345/s", "2.5/s", or "37 s each" for slow phases (where a whole
    /// number per second would print "0/s"); null before a phase has run long enough to have a rate.
    /// </summary>
    internal static string? FormatRate(double perSecond, double elapsedSeconds)
    {
        if (elapsedSeconds <= 0)
        {
            return null;
        }

        return perSecond switch
        {
            >= 100 => string.Create(CultureInfo.InvariantCulture, $"{perSecond:N0}/s"),
            >= 1 => string.Create(CultureInfo.InvariantCulture, $"{perSecond:0.#}/s"),
            > 0 => string.Create(CultureInfo.InvariantCulture, $"{1 / perSecond:0.#} s each"),
            _ => "none done yet",
        };
    }

    /// <summary>Reports synchronously on the caller's thread (unlike <see cref="Progress{T}"/>, which posts).</summary>
    private sealed class Progress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
