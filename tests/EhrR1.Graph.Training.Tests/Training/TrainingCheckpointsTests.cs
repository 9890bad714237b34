using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.Tests.Support;
using EhrR1.Graph.Training.Training;

namespace EhrR1.Graph.Training.Tests.Training;

public sealed class TrainingCheckpointsTests
{
    public TrainingCheckpointsTests() => TorchSharpNative.EnsureLoadable();

    public sealed record State(int Step, int Seed);

    [Fact]
    public void Should_ReturnTheLatestState_When_CheckpointIsIntact()
    {
        // Given
        using var dir = new TempDirectory();
        var folder = SaveTiny(dir);

        // When
        var latest = TrainingCheckpoints.Latest<State>(dir.Path, 7, s => s.Seed);

        // Then
        latest.Should().NotBeNull();
        latest!.Value.Folder.Should().Be(folder);
        latest.Value.State.Should().Be(new State(3, 7));
        File.ReadAllText(Path.Combine(folder, TrainingCheckpoints.ManifestFile)).Should().Contain("\"format\": \"ehr-r1-checkpoint/2\"");
    }

    [Theory]
    [InlineData(TrainingCheckpoints.TrainableFile)]
    [InlineData(TrainingCheckpoints.OptimizerFile)]
    [InlineData(TrainingCheckpoints.StateFile)]
    public void Should_RefuseToResume_When_AByteIsFlipped(string file)
    {
        // Given: one byte in the middle of the file flipped
        using var dir = new TempDirectory();
        var path = Path.Combine(SaveTiny(dir), file);
        var bytes = File.ReadAllBytes(path);
        bytes[bytes.Length / 2] ^= 0x01;
        File.WriteAllBytes(path, bytes);

        // When
        var act = () => TrainingCheckpoints.Latest<State>(dir.Path, 7, s => s.Seed);

        // Then
        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-TRN-031");
        ex.ExitCode.Should().Be(ExitCodes.BadInput);
        ex.File.Should().Be(path);
        ex.Message.Should().Contain("fails its XxHash64 checksum").And.Contain("Delete the folder").And.Contain("--restart");
    }

    [Theory]
    [InlineData(TrainingCheckpoints.TrainableFile)]
    [InlineData(TrainingCheckpoints.OptimizerFile)]
    [InlineData(TrainingCheckpoints.StateFile)]
    public void Should_RefuseToResume_When_AFileIsCutShort(string file)
    {
        // Given
        using var dir = new TempDirectory();
        var path = Path.Combine(SaveTiny(dir), file);
        using (var stream = new FileStream(path, FileMode.Open))
        {
            stream.SetLength(stream.Length - 3);
        }

        // When
        var act = () => TrainingCheckpoints.Latest<State>(dir.Path, 7, s => s.Seed);

        // Then
        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-TRN-031");
        ex.File.Should().Be(path);
        ex.Message.Should().Contain("cut short");
    }

    [Fact]
    public void Should_ExplainTheOlderFormat_When_CheckpointHasNoManifest()
    {
        // Given: a checkpoint as builds before checksums wrote it
        using var dir = new TempDirectory();
        var folder = SaveTiny(dir);
        File.Delete(Path.Combine(folder, TrainingCheckpoints.ManifestFile));

        // When
        var act = () => TrainingCheckpoints.Latest<State>(dir.Path, 7, s => s.Seed);

        // Then
        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-TRN-032");
        ex.Message.Should().StartWith(folder + ": the checkpoint has no checkpoint.json: it was written by an older build")
            .And.Contain("--restart");
    }

    [Fact]
    public void Should_ReportTheManifest_When_ItIsDamaged()
    {
        using var dir = new TempDirectory();
        var manifest = Path.Combine(SaveTiny(dir), TrainingCheckpoints.ManifestFile);
        File.WriteAllText(manifest, "{\"format\": \"ehr-r1-checkpoint/2\", \"files\": {");

        var act = () => TrainingCheckpoints.Latest<State>(dir.Path, 7, s => s.Seed);

        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-TRN-031");
        ex.File.Should().Be(manifest);
    }

    private static string SaveTiny(TempDirectory dir)
    {
        // A small vocabulary keeps the files small; the layout is the trainer's.
        File.WriteAllText(dir.Combine("tiny.json"), TinyCorpus.TinyConfigJson.Replace("151936", "512", StringComparison.Ordinal));
        using var model = new Qwen3ForCausalLM(Qwen3Config.Load(dir.Combine("tiny.json")));
        using var optimizer = new AdamW(model.TrainableParameters(), 0.9, 0.999, 1e-8, 0.0);
        var name = TrainingCheckpoints.Save(dir.Path, 3, model, optimizer, new State(3, 7), keep: 2);
        return Path.Combine(dir.Path, TrainingCheckpoints.Folder, name);
    }
}
