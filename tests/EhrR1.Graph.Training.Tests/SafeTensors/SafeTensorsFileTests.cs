using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Tests.SafeTensors;

public sealed class SafeTensorsFileTests
{
    public SafeTensorsFileTests() => TorchSharpNative.EnsureLoadable();

    [Theory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.BFloat16)]
    [InlineData(ScalarType.Float16)]
    public void Should_RoundTripTensors_When_WrittenAndRead(ScalarType dtype)
    {
        // Given
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        var a = randn(3, 5).to(dtype);
        var b = arange(7, dtype: ScalarType.Int64);
        var path = Path.Combine(dir.Path, "t.safetensors");

        // When
        SafeTensorsFile.Write(path, [("a", a), ("b", b)], new Dictionary<string, string> { ["format"] = "pt" });
        using var file = SafeTensorsFile.Open(path);

        // Then
        file.Metadata["format"].Should().Be("pt");
        file.Entries["a"].Dtype.Should().Be(dtype);
        file.Entries["a"].Shape.Should().Equal(3, 5);
        file.Read("a").to(ScalarType.Float32).allclose(a.to(ScalarType.Float32), 0, 0).Should().BeTrue();
        file.Read("b").allclose(b, 0, 0).Should().BeTrue();
    }

    [Fact]
    public void Should_ReportFileAndProblem_When_HeaderIsTruncated()
    {
        using var dir = new TempDirectory();
        var path = Path.Combine(dir.Path, "bad.safetensors");
        File.WriteAllBytes(path, [200, 0, 0, 0, 0, 0, 0, 0, (byte)'{']);

        var act = () => SafeTensorsFile.Open(path);

        act.Should().Throw<InputDataException>().Which.Message.Should().Contain("bad.safetensors").And.Contain("header length");
    }

    [Fact]
    public void Should_LoadShardedBf16Checkpoint_When_IndexNamesShards()
    {
        // Given: the reference model saved as bf16 shards of at most ~40 KB
        using var dir = new TempDirectory();
        using var scope = NewDisposeScope();
        using var model = CheckpointDirectory.LoadModel(TestPaths.TestData("training", "qwen3-reference"), ScalarType.Float32, CPU);
        CheckpointDirectory.SaveModel(model, dir.Path, ScalarType.BFloat16, maxShardBytes: 40_000);

        // When
        using var reloaded = CheckpointDirectory.LoadModel(dir.Path, ScalarType.Float32, CPU);

        // Then
        File.Exists(Path.Combine(dir.Path, CheckpointDirectory.IndexFile)).Should().BeTrue();
        Directory.GetFiles(dir.Path, "model-*-of-*.safetensors").Length.Should().BeGreaterThan(1);
        Qwen3Config.Load(Path.Combine(dir.Path, "config.json")).TorchDtype.Should().Be("bfloat16");
        var original = model.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, p) in reloaded.named_parameters())
        {
            var expected = original[name].to(ScalarType.BFloat16).to(ScalarType.Float32);
            p.allclose(expected, 0, 0).Should().BeTrue(name);
        }
    }
}
