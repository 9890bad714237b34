using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Generation;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Tests.Generation;

public sealed class Qwen3GeneratorTests
{
    public Qwen3GeneratorTests() => TorchSharpNative.EnsureLoadable();

    [Fact]
    public void Should_DecodeSameTokens_When_PromptsAreBatchedWithPadding()
    {
        // Given
        using var model = CheckpointDirectory.LoadModel(TestPaths.TestData("training", "qwen3-reference"), ScalarType.Float32, CPU);
        var generator = new Qwen3Generator(model, padId: 0);
        int[] shortPrompt = [5, 17, 42];
        int[] longPrompt = [9, 8, 7, 6, 5, 4, 3];
        var stop = new HashSet<int> { 199 };

        // When
        var batched = generator.GenerateGreedy([shortPrompt, longPrompt], 6, stop);
        var single0 = generator.GenerateGreedy([shortPrompt], 6, stop)[0];
        var single1 = generator.GenerateGreedy([longPrompt], 6, stop)[0];

        // Then
        batched[0].Should().Equal(single0);
        batched[1].Should().Equal(single1);
        single0.Should().NotBeEmpty();
    }

    [Fact]
    public void Should_MatchFullForwardGreedyAndLogProbs_When_Decoding()
    {
        using var model = CheckpointDirectory.LoadModel(TestPaths.TestData("training", "qwen3-reference"), ScalarType.Float32, CPU);
        var generator = new Qwen3Generator(model, padId: 0);
        var prompt = new List<int> { 3, 1, 4, 1, 5 };

        var generated = generator.GenerateGreedy([prompt], 4, new HashSet<int>())[0];
        var logProbs = generator.NextTokenLogProbs([prompt, [7, 7]], [generated[0], 11]);

        // Recompute greedily without a cache
        using var scope = NewDisposeScope();
        var ids = prompt.ToList();
        using (no_grad())
        {
            for (var i = 0; i < 4; i++)
            {
                var logits = model.Forward(tensor(ids.Select(x => (long)x).ToArray(), [1, ids.Count]));
                ids.Add((int)logits[0, ids.Count - 1].argmax().item<long>());
            }

            var reference = nn.functional.log_softmax(model.Forward(tensor(prompt.Select(x => (long)x).ToArray(), [1, prompt.Count]))[0, -1], 0);
            logProbs[0][0].Should().BeApproximately(reference[generated[0]].item<float>(), 1e-4);
            logProbs[0][1].Should().BeApproximately(reference[11].item<float>(), 1e-4);
        }

        generated.Should().Equal(ids.Skip(prompt.Count));
        logProbs.Should().HaveCount(2);
    }
}
