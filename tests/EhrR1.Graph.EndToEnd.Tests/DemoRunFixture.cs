using System.Diagnostics;
using System.Text.Json;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.EndToEnd.Tests;

/// <summary>
/// Copies the repository as a clean clone would hold it (tracked files plus untracked files git does not ignore: no
/// build outputs, no tools, no runs), then runs the README's main command there, <c>bash scripts/demo.sh</c>, twice:
/// once from scratch and once more to see every step skipped. When a Neo4j server is given (<c>EHRR1_TEST_NEO4J_URI</c>)
/// the second run adds <c>--neo4j URL</c> on an emptied server, so only its two Neo4j steps run; <see cref="Reload"/>
/// then runs those two steps' commands once more (idempotence). The shared data is found through <c>EHRR1_DATA</c>,
/// as on a user's machine. Shared by the tests of this assembly (one run, several checks).
/// </summary>
public sealed class DemoRunFixture : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(45);
    private readonly TempDirectory _temp = new("ehrr1-e2e-");
    private readonly Lazy<Result> _first;
    private readonly Lazy<Result> _second;
    private readonly Lazy<Result> _reload;

    public DemoRunFixture()
    {
        Clone = _temp.Combine("repo");
        _first = new(() => RunDemo("first"));
        _second = new(() =>
        {
            _ = _first.Value;
            if (Neo4jUri is { } neo4j)
            {
                Neo4jRun.ClearAsync(neo4j).GetAwaiter().GetResult();
                return RunDemo("second", "--neo4j", neo4j.AbsoluteUri);
            }

            return RunDemo("second");
        });
        _reload = new(() =>
        {
            _ = _second.Value;
            var neo4j = Neo4jUri ?? throw new InvalidOperationException($"{RequiresNeo4jFactAttribute.UriVariable} is not set.");
            var cli = Path.Combine("src", "EhrR1.Graph.Cli", "bin", "Release", "net10.0", "ehr-graph.dll");
            return Run(
                "reload",
                "bash",
                "-c",
                "set -e; dotnet \"$0\" graph load --graph runs/demo/graph --neo4j \"$1\"; dotnet \"$0\" evidence neo4j --evidence runs/demo/evidence/evidence.jsonl --neo4j \"$1\"",
                cli,
                neo4j.AbsoluteUri);
        });
    }

    /// <summary>The Neo4j server of the integration tests, or null when <c>EHRR1_TEST_NEO4J_URI</c> is unset.</summary>
    public static Uri? Neo4jUri =>
        Environment.GetEnvironmentVariable(RequiresNeo4jFactAttribute.UriVariable) is { Length: > 0 } uri ? new Uri(uri) : null;

    /// <summary>The clean copy of the repository.</summary>
    public string Clone { get; }

    /// <summary>The run folder the main command writes (<c>runs/demo</c> in the copy).</summary>
    public string RunDir => Path.Combine(Clone, "runs", "demo");

    /// <summary>The first (from scratch) run of the main command.</summary>
    public Result First => _first.Value;

    /// <summary>The second run, right after the first: every step should be up to date.</summary>
    public Result Second => _second.Value;

    /// <summary>The Neo4j steps' commands (<c>graph load</c>, <c>evidence neo4j</c>) run again after the second run.</summary>
    public Result Reload => _reload.Value;

    public void Dispose() => _temp.Dispose();

    private Result RunDemo(string label, params string[] arguments)
    {
        if (label == "first")
        {
            CopyWorkingTree(TestPaths.RepoRoot, Clone);
        }

        return Run(label, "bash", ["scripts/demo.sh", .. arguments]);
    }

    /// <summary>Runs a command in the copy with the user's environment (the shared data, no LLM service).</summary>
    private Result Run(string label, string program, params string[] arguments)
    {
        var dataRoot = TestPaths.DataRoot ?? throw new InvalidOperationException("The shared data folder was not found: set EHRR1_DATA to the folder that holds mimic-iv-demo-2.2/.");
        var psi = new ProcessStartInfo(program, arguments)
        {
            WorkingDirectory = Clone,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        psi.Environment["EHRR1_DATA"] = Path.GetFullPath(dataRoot);
        foreach (var name in new[] { "EHRR1_MIMIC", "EHRR1_LLM_ENDPOINT", "EHRR1_LLM_API_KEY", "AZURE_OPENAI_ENDPOINT", "AZURE_OPENAI_API_KEY", "OPENAI_API_KEY" })
        {
            psi.Environment.Remove(name);
        }

        var clock = Stopwatch.StartNew();
        using var process = Process.Start(psi) ?? throw new InvalidOperationException("bash did not start");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(Timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{string.Join(' ', arguments)} ({label} run) did not finish within {Timeout.TotalMinutes} minutes");
        }

        process.WaitForExit();
        var result = new Result(process.ExitCode, stdout.Result, stderr.Result, clock.Elapsed);
        // Kept for whoever reads a CI log (step lines, counts and timings; no patient text).
        var logs = Path.Combine(TestPaths.RepoRoot, "artifacts", "end-to-end");
        Directory.CreateDirectory(logs);
        File.WriteAllText(Path.Combine(logs, $"demo-{label}.stdout"), result.Stdout);
        File.WriteAllText(Path.Combine(logs, $"demo-{label}.stderr"), result.Stderr);
        return result;
    }

    /// <summary>What <c>git clone</c> of the working tree would hold: tracked and untracked-but-not-ignored files.</summary>
    private static void CopyWorkingTree(string repo, string destination)
    {
        var psi = new ProcessStartInfo("git", ["-C", repo, "ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var git = Process.Start(psi) ?? throw new InvalidOperationException("git did not start");
        var list = git.StandardOutput.ReadToEnd();
        git.WaitForExit();
        if (git.ExitCode != 0)
        {
            throw new InvalidOperationException("git ls-files failed: " + git.StandardError.ReadToEnd());
        }

        foreach (var relative in list.Split('\0', StringSplitOptions.RemoveEmptyEntries))
        {
            var source = Path.Combine(repo, relative);
            if (!File.Exists(source))
            {
                continue; // deleted in the working tree but not yet committed
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(source, target);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(target, File.GetUnixFileMode(source));
            }
        }
    }

    /// <summary>One run of the main command.</summary>
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed)
    {
        /// <summary>The summary JSON the command prints on stdout.</summary>
        public JsonElement Summary()
        {
            var start = Stdout.IndexOf('{', StringComparison.Ordinal);
            start.Should().BeGreaterThanOrEqualTo(0, "the main command prints its summary as JSON on stdout");
            using var doc = JsonDocument.Parse(Stdout[start..]);
            return doc.RootElement.Clone();
        }

        /// <summary>Step name → status from the summary.</summary>
        public IReadOnlyDictionary<string, string> StepStatuses() =>
            Summary().GetProperty("steps").EnumerateArray().ToDictionary(s => s.GetProperty("step").GetString()!, s => s.GetProperty("status").GetString()!, StringComparer.Ordinal);

        /// <summary>The last lines of stderr, for assertion messages (the run logs counts and step names, no patient text).</summary>
        public string Tail() => string.Join('\n', Stderr.Split('\n').TakeLast(40));
    }
}

[CollectionDefinition(Name)]
public sealed class DemoRunGroup : ICollectionFixture<DemoRunFixture>
{
    public const string Name = "demo run";
}
