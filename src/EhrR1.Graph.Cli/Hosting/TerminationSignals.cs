using System.Globalization;
using System.Runtime.InteropServices;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Cli.Hosting;

/// <summary>
/// Turns SIGINT (Ctrl+C) and SIGTERM into cancellation of the running command. A command that has not finished
/// <see cref="Grace"/> after the first signal, or a second signal, ends the process with the cancelled exit code:
/// every stage keeps its outputs complete or absent even under <c>kill -9</c>, so stopping hard is safe, and a stop
/// request is never held up by work that does not watch its token. Replaces System.CommandLine's own handler, whose
/// timeout would otherwise decide how long a stop takes.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private readonly TextWriter _error;
    private readonly PosixSignalRegistration[] _registrations;
    private int _signals;

    private TerminationSignals(TextWriter error, TimeSpan grace)
    {
        _error = error;
        Grace = grace;
        _registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];
    }

    /// <summary>How long a command may take to stop after the first signal.</summary>
    public TimeSpan Grace { get; }

    /// <summary>Cancelled on the first signal.</summary>
    public CancellationToken Token => _cancel.Token;

    public static TerminationSignals Register(TextWriter error, TimeSpan grace) => new(error, grace);

    public void Dispose()
    {
        foreach (var r in _registrations)
        {
            r.Dispose();
        }

        _cancel.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        // The runtime must not end the process itself: the command gets its chance to stop cleanly first.
        context.Cancel = true;
        if (Interlocked.Increment(ref _signals) > 1)
        {
            Exit("a second stop signal");
            return;
        }

        // Off the signal thread: cancellation runs the token's callbacks, and the watchdog must not wait on them.
        _ = Task.Run(_cancel.Cancel);
        _ = Task.Run(async () =>
        {
            await Task.Delay(Grace);
            Exit(string.Create(CultureInfo.InvariantCulture, $"no clean stop within {Grace.TotalSeconds:0} s"));
        });
    }

    private void Exit(string why)
    {
        try
        {
            _error.WriteLine($"cancelled ({why}); finished records are kept, rerun the same command to resume.");
            _error.Flush();
        }
        catch (IOException)
        {
            // stderr is gone: the exit code still tells.
        }

        Environment.Exit(ExitCodes.Cancelled);
    }
}
