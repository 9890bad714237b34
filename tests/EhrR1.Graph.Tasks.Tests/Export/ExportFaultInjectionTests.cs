using System.Globalization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Tasks.Export;
using EhrR1.Graph.Tasks.Tests.Support;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Rendering;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Tasks.Tests.Export;

/// <summary>
/// Issue 21, "fail loudly, never silently", for <c>tasks export</c>: a failed export leaves none of its workers'
/// temporary files, and a rerun removes those of a run that was killed, saying so.
/// </summary>
public sealed class ExportFaultInjectionTests : IDisposable
{
    private const string MissingSubject =
        "{\"sample_id\":\"omr:99:3\",\"subject_id\":99,\"hadm_id\":null,\"task\":\"omr\",\"event\":\"omr\",\"target_index\":3,\"context_begin\":1,\"context_end\":3,\"admissions_id\":null,\"last_discharge_id\":null,\"target\":[\"BMI\"],\"target_weight\":1}\n";

    private readonly TempDirectory _temp = new();

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_worker_file_that_cannot_be_made_leaves_no_other_worker_file_behind()
    {
        var samples = _temp.Combine("samples.jsonl");
        File.WriteAllText(samples, MissingSubject);
        // The second worker's file name is taken, so the second of three workers fails to start.
        var blocker = "." + "out.jsonl." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".w2.tmp";
        File.WriteAllText(_temp.Combine(blocker), string.Empty);

        var act = () => Export(samples, workers: 3, logger: null);

        await act.Should().ThrowAsync<IOException>();
        Directory.GetFiles(_temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo("samples.jsonl", blocker);
    }

    [Fact]
    public async Task A_failed_export_leaves_no_temporary_file()
    {
        var samples = _temp.Combine("samples.jsonl");
        File.WriteAllText(samples, MissingSubject);

        var act = () => Export(samples, workers: 3, logger: null);

        await act.Should().ThrowAsync<InputDataException>();
        Directory.GetFiles(_temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["samples.jsonl"]);
    }

    [Fact]
    public async Task A_rerun_removes_the_temporary_files_of_a_killed_export_with_a_log_line_and_keeps_a_live_ones()
    {
        var samples = _temp.Combine("samples.jsonl");
        File.WriteAllText(samples, MissingSubject);
        string[] dead = [".out.jsonl.2147480000.w1.tmp", ".out.jsonl.2147480000.w2.tmp", "out.jsonl.tmp-2147480000"]; // above any pid_max
        string[] live = [".out.jsonl.1.w1.tmp", "out.jsonl.tmp-1"]; // init: always running
        foreach (var name in dead.Concat(live))
        {
            File.WriteAllText(_temp.Combine(name), "partial records");
        }

        var logger = new ListLogger();
        var act = () => Export(samples, workers: 2, logger);

        await act.Should().ThrowAsync<InputDataException>("the sample's subject is not in the store");
        Directory.GetFiles(_temp.Path).Select(Path.GetFileName).Should().BeEquivalentTo(["samples.jsonl", .. live]);
        foreach (var name in dead)
        {
            logger.Lines.Should().Contain(l => l.Contains(name, StringComparison.Ordinal) && l.Contains("killed", StringComparison.Ordinal));
        }
    }

    private async Task Export(string samples, int workers, ILogger<SampleExporter>? logger)
    {
        using var store = new InMemoryTrajectoryStore(Fixtures.All());
        await new SampleExporter(logger).RunAsync(
            store,
            EventRenderer.Render,
            new ExportSettings { SamplesFile = samples, StorePath = "s", Format = ExportFormat.EhrBench, OutputFile = _temp.Combine("out.jsonl"), Workers = workers },
            null,
            CancellationToken.None);
    }

    private sealed class ListLogger : ILogger<SampleExporter>
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (Lines)
            {
                Lines.Add(formatter(state, exception));
            }
        }
    }
}
