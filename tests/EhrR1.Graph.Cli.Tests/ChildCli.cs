using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// The real CLI as a child process (<c>dotnet ehr-graph.dll ...</c>), for tests that signal or kill it: its output is
/// drained into <see cref="Log"/> so a full pipe never blocks it.
/// </summary>
internal sealed class ChildCli : IDisposable
{
    private readonly StringBuilder _log = new();

    private ChildCli(Process process) => Process = process;

    public Process Process { get; }

    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    public static ChildCli Start(IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        // The CLI is a project reference of this test project: its dll, deps and runtimeconfig sit beside ours.
        var dll = Path.Combine(AppContext.BaseDirectory, "ehr-graph.dll");
        File.Exists(dll).Should().BeTrue("the CLI is built with the test project: " + dll);
        var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
        start.ArgumentList.Add(dll);
        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        // Only what this run needs: no provider, key or client settings of the person running the tests.
        foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("EHRR1_LLM_", StringComparison.Ordinal) || k.StartsWith("AZURE_OPENAI_", StringComparison.Ordinal) || k.StartsWith("OPENAI_", StringComparison.Ordinal)).ToList())
        {
            start.Environment.Remove(name);
        }

        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[k] = v;
        }

        var child = new ChildCli(Process.Start(start)!);
        child.Process.OutputDataReceived += (_, e) => child.Append(e.Data);
        child.Process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        child.Process.BeginOutputReadLine();
        child.Process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Polls <paramref name="condition"/> until it holds, the child exits or <paramref name="limit"/> passes.</summary>
    public async Task<bool> WaitUntil(Func<bool> condition, TimeSpan limit)
    {
        var clock = Stopwatch.StartNew();
        while (!condition())
        {
            if (Process.HasExited || clock.Elapsed > limit)
            {
                return condition();
            }

            await Task.Delay(20);
        }

        return true;
    }

    /// <summary>Sends a POSIX signal by number (15 SIGTERM, 2 SIGINT) with the system's kill command.</summary>
    public void Signal(int signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill")
        {
            ArgumentList = { "-" + signal.ToString(CultureInfo.InvariantCulture), Process.Id.ToString(CultureInfo.InvariantCulture) },
            UseShellExecute = false,
        })!;
        kill.WaitForExit();
        kill.ExitCode.Should().Be(0, "kill must reach the child");
    }

    /// <summary>SIGKILL: the child gets no chance to clean up.</summary>
    public async Task KillHard()
    {
        Process.Kill(entireProcessTree: true);
        await Process.WaitForExitAsync();
    }

    /// <summary>Waits for the exit; false when <paramref name="limit"/> passed first.</summary>
    public async Task<bool> WaitForExit(TimeSpan limit)
    {
        using var cts = new CancellationTokenSource(limit);
        try
        {
            await Process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Newline count of a file the child may be appending to (0 when absent or locked for a moment).</summary>
    public static int CountLines(string path)
    {
        if (!File.Exists(path))
        {
            return 0;
        }

        try
        {
            using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            var n = 0;
            int b;
            while ((b = s.ReadByte()) >= 0)
            {
                n += b == '\n' ? 1 : 0;
            }

            return n;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    public void Dispose()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit();
        }

        Process.Dispose();
    }

    private void Append(string? line)
    {
        lock (_log)
        {
            _log.AppendLine(line);
        }
    }
}
