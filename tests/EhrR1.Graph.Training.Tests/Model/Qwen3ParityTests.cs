using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Tests.Model;

public sealed class Qwen3ParityTests
{
    private static readonly string ReferenceDir = TestPaths.TestData("training", "qwen3-reference");

    public Qwen3ParityTests() => TorchSharpNative.EnsureLoadable();

    [Fact]
    public void Should_MatchPyTorchLogits_When_LoadingReferenceWeights()
    {
        // Given: weights, inputs and logits made by tests/TestData/training/make_qwen3_reference.py
        using var scope = NewDisposeScope();
        using var model = CheckpointDirectory.LoadModel(ReferenceDir, ScalarType.Float32, CPU);
        model.eval();
        using var expected = SafeTensorsFile.Open(Path.Combine(ReferenceDir, "expected.safetensors"));
        var ids = expected.Read("input_ids");
        var want = expected.Read("logits");

        // When
        Tensor got;
        using (no_grad())
        {
            got = model.Forward(ids);
        }

        // Then
        got.shape.Should().Equal(want.shape);
        var maxDiff = (got - want).abs().max().item<float>();
        maxDiff.Should().BeLessThan(1e-4f);
    }

    [Fact]
    public void Should_MatchFullForward_When_DecodingWithKvCache()
    {
        // Given
        using var scope = NewDisposeScope();
        using var model = CheckpointDirectory.LoadModel(ReferenceDir, ScalarType.Float32, CPU);
        model.eval();
        using var expected = SafeTensorsFile.Open(Path.Combine(ReferenceDir, "expected.safetensors"));
        var ids = expected.Read("input_ids");
        var want = expected.Read("logits");

        // When: a 6-token prefix fills the cache, then one token at a time extends it
        using var cache = new KvCache(model.Config.NumHiddenLayers);
        using (no_grad())
        {
            var steps = new List<Tensor> { model.Logits(model.Hidden(ids.narrow(1, 0, 6), cache: cache)) };
            for (var t = 6; t < ids.shape[1]; t++)
            {
                steps.Add(model.Logits(model.Hidden(ids.narrow(1, t, 1), cache: cache)));
            }

            // Then
            var all = cat(steps, 1);
            (all - want).abs().max().item<float>().Should().BeLessThan(1e-4f);
        }
    }
}
