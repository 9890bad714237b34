using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Core.Tests;

public sealed class StageRunnerTests : IDisposable
{
    private static readonly IProgress<StageProgress> NoProgress = new Progress<StageProgress>();
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Should_ListEveryProblemAtOnce_When_SettingsAndInputsAreBad()
    {
        // Given two settings problems and two missing inputs
        var settings = Settings() with
        {
            Problems = ["--topk must be at least 1.", "--threshold must be positive."],
            Inputs = [new("--samples", _dir.Combine("none.jsonl")), new("--concepts", _dir.Combine("gone", "events.jsonl"), "Run `ehr-graph concepts extract` first")],
        };
        var stage = new FakeStage();

        // When
        var act = () => StageRunner.RunAsync(stage, settings, NoProgress, CancellationToken.None);

        // Then all four are reported together and the stage never ran
        var error = (await act.Should().ThrowAsync<StageConfigurationException>()).Which;
        error.Problems.Should().Equal(
            "--topk must be at least 1.",
            "--threshold must be positive.",
            "--samples: " + _dir.Combine("none.jsonl") + " does not exist.",
            "--concepts: " + _dir.Combine("gone", "events.jsonl") + " does not exist. Run `ehr-graph concepts extract` first.");
        error.ExitCode.Should().Be(ExitCodes.BadInput);
        stage.Runs.Should().Be(0);
    }

    [Fact]
    public async Task Should_RefuseBeforeRunning_When_AnOutputExistsAndTheStageRefusesExistingOutputs()
    {
        // Given
        var output = _dir.Combine("out");
        Directory.CreateDirectory(output);
        File.WriteAllText(Path.Combine(output, "a.txt"), "x");
        var settings = Settings() with { Outputs = [output], OnExistingOutputs = ExistingOutputs.Refuse };
        var stage = new FakeStage();

        // When
        var act = () => StageRunner.RunAsync(stage, settings, NoProgress, CancellationToken.None);

        // Then
        (await act.Should().ThrowAsync<StageConfigurationException>()).Which.Message.Should().Contain(Path.GetFullPath(output)).And.Contain("--force");
        stage.Runs.Should().Be(0);
    }

    [Fact]
    public async Task Should_WriteTheManifestWithTheSettings_When_TheStageSucceeds()
    {
        // Given
        var input = _dir.Combine("in.jsonl");
        File.WriteAllText(input, "{}\n");
        var output = _dir.Combine("out.jsonl");
        var settings = Settings() with { Inputs = [new("--samples", input)], Outputs = [output], ManifestPath = StageManifest.ForFile(output) };

        // When
        var report = await StageRunner.RunAsync(new FakeStage(), settings, NoProgress, CancellationToken.None);

        // Then
        var manifest = RunManifest.TryLoad(output + ".manifest.json");
        manifest.Should().NotBeNull();
        manifest!.Stage.Should().Be("fake stage");
        manifest.Settings.Should().Equal(new Dictionary<string, string?> { ["topk"] = "3", ["mode"] = null });
        manifest.Inputs.Select(i => i.Path).Should().Equal(Path.GetFullPath(input));
        manifest.Counts.Should().Equal(new Dictionary<string, long> { ["rows"] = 7 });
        report.Outputs.Should().Equal(output, output + ".manifest.json");
    }

    [Fact]
    public async Task Should_WriteNoManifest_When_TheStageThrows()
    {
        // Given
        var output = _dir.Combine("out.jsonl");
        var settings = Settings() with { Outputs = [output], ManifestPath = StageManifest.ForFile(output) };

        // When
        var act = () => StageRunner.RunAsync(new FakeStage(fail: true), settings, NoProgress, CancellationToken.None);

        // Then
        await act.Should().ThrowAsync<InvalidOperationException>();
        File.Exists(output + ".manifest.json").Should().BeFalse();
        Directory.EnumerateFileSystemEntries(_dir.Path).Should().BeEmpty();
    }

    private FakeSettings Settings() => new()
    {
        Inputs = [],
        Outputs = [],
        ManifestPath = _dir.Combine("manifest.json"),
        Problems = [],
    };

    private sealed record FakeSettings : IStageSettings
    {
        public string StageName => "fake stage";

        public required IReadOnlyList<StageInput> Inputs { get; init; }

        public required IReadOnlyList<string> Outputs { get; init; }

        public required string ManifestPath { get; init; }

        public ExistingOutputs OnExistingOutputs { get; init; } = ExistingOutputs.Replace;

        public required IReadOnlyList<string> Problems { get; init; }

        public IReadOnlyList<string> Validate() => Problems;

        public IReadOnlyDictionary<string, string?> Describe() => new Dictionary<string, string?>(StringComparer.Ordinal) { ["topk"] = "3", ["mode"] = null };
    }

    private sealed class FakeStage(bool fail = false) : IStage<FakeSettings>
    {
        public int Runs { get; private set; }

        public Task<StageReport> RunAsync(FakeSettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken)
        {
            Runs++;
            if (fail)
            {
                throw new InvalidOperationException("boom");
            }

            foreach (var output in settings.Outputs)
            {
                AtomicFile.WriteAllText(output, "{}\n");
            }

            return Task.FromResult(new StageReport("fake stage", 0.5, new Dictionary<string, long>(StringComparer.Ordinal) { ["rows"] = 7 }, settings.Outputs));
        }
    }
}
