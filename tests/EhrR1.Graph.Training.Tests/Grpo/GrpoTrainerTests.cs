using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Generation;
using EhrR1.Graph.Training.Grpo;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.SafeTensors;
using EhrR1.Graph.Training.Tests.Support;
using EhrR1.Graph.Training.Training;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Tests.Grpo;

[Trait("Category", "Slow")]
public sealed class GrpoTrainerTests
{
    public GrpoTrainerTests() => TorchSharpNative.EnsureLoadable();

    private static string TinyCheckpoint(TempDirectory dir)
    {
        var config = dir.Combine("tiny.json");
        File.WriteAllText(config, TinyCorpus.TinyConfigJson);
        manual_seed(5);
        using var model = new Qwen3ForCausalLM(Qwen3Config.Load(config));
        model.InitializeWeights();
        var folder = dir.Combine("init");
        CheckpointDirectory.SaveModel(model, folder, ScalarType.Float32);
        return folder;
    }

    private static Dictionary<string, float[]> Weights(Qwen3ForCausalLM model) =>
        model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().cpu().data<float>().ToArray());

    [Fact]
    public void Should_MovePolicyTowardPositiveAdvantageAndKeepReference_When_OneGrpoStep()
    {
        // Given: policy and frozen reference loaded from the same checkpoint, two prompts × two hand-made completions
        using var dir = new TempDirectory();
        var init = TinyCheckpoint(dir);
        using var policy = CheckpointDirectory.LoadModel(init, ScalarType.Float32, CPU);
        using var reference = CheckpointDirectory.LoadModel(init, ScalarType.Float32, CPU);
        foreach (var p in reference.parameters())
        {
            p.requires_grad = false;
        }

        var before = Weights(policy);
        var batch = new GrpoBatch(
            [[5, 17, 42], [5, 17, 42], [9, 8, 7, 6], [9, 8, 7, 6]],
            [[1, 2, 3], [4, 5], [6], [7, 8]],
            [1.0, -1.0, 0.5, -0.5]);
        var settings = new GrpoSettings { InitFrom = init, OutputDirectory = dir.Combine("out"), Beta = 0.04, MicroBatchSize = 3, LearningRate = 1e-3 };
        using var optimizer = new AdamW(policy.TrainableParameters(), 0.9, 0.999, 1e-8, 0);

        // When
        var (loss, gradNorm, kl, clip) = GrpoTrainer.OptimizeStep(policy, reference, optimizer, batch, settings, 1e-3, padId: 0);

        // Then: the reference is bit-for-bit the checkpoint; every policy matrix moved
        using var fresh = CheckpointDirectory.LoadModel(init, ScalarType.Float32, CPU);
        Weights(reference).Should().BeEquivalentTo(Weights(fresh), o => o.WithStrictOrdering());
        var after = Weights(policy);
        after["model.layers.0.self_attn.q_proj.weight"].Should().NotEqual(before["model.layers.0.self_attn.q_proj.weight"]);
        after["model.embed_tokens.weight"].Should().NotEqual(before["model.embed_tokens.weight"]);
        kl.Should().Be(0, "policy and reference are equal before the update");
        clip.Should().Be(0, "with one iteration the ratio is exactly 1");
        gradNorm.Should().BePositive();
        double.IsFinite(loss).Should().BeTrue();

        // The completion with positive advantage became likelier, the one with negative advantage less likely.
        using (no_grad())
        {
            var rows = new[] { 0, 1 };
            var (lp, mask) = GrpoTrainer.LogProbs(policy, batch, rows, 1.0, 0);
            var (lr, _) = GrpoTrainer.LogProbs(reference, batch, rows, 1.0, 0);
            var delta = ((lp - lr) * mask).sum(1).data<float>().ToArray();
            delta[0].Should().BePositive();
            delta[1].Should().BeNegative();
        }
    }

    [Fact]
    public void Should_TrainOnlyAdaptersAndClipLaterIterations_When_LoraAndSeveralIterations()
    {
        // Given: a LoRA policy, no reference (β = 0), three optimizer steps on one generation batch at a high lr
        using var dir = new TempDirectory();
        var init = TinyCheckpoint(dir);
        using var policy = CheckpointDirectory.LoadModel(init, ScalarType.Float32, CPU);
        policy.AddLora(new LoraSettings { Rank = 2, Alpha = 4, TargetModules = LoraSettings.AllProjections });
        var before = Weights(policy);
        var batch = new GrpoBatch([[5, 17, 42], [5, 17, 42]], [[1, 2, 3], [4, 5]], [1.0, -1.0]);
        var settings = new GrpoSettings { InitFrom = init, OutputDirectory = dir.Combine("out"), NumIterations = 3, MicroBatchSize = 2 };
        using var optimizer = new AdamW(policy.TrainableParameters(), 0.9, 0.999, 1e-8, 0);

        // When
        var (_, _, kl, clip) = GrpoTrainer.OptimizeStep(policy, null, optimizer, batch, settings, 0.05, padId: 0);

        // Then: base weights frozen, adapters moved; by the third iteration the ratio left [0.8, 1.2] somewhere
        var after = Weights(policy);
        after["model.embed_tokens.weight"].Should().Equal(before["model.embed_tokens.weight"]);
        after["model.layers.0.self_attn.q_proj.weight"].Should().Equal(before["model.layers.0.self_attn.q_proj.weight"]);
        after.Keys.Where(k => k.Contains("lora_B", StringComparison.Ordinal)).Should().Contain(k => !after[k].SequenceEqual(before[k]));
        optimizer.Step.Should().Be(3);
        kl.Should().Be(0);
        clip.Should().BePositive();
    }

    [Fact]
    public void Should_SampleReproduciblyAndMatchGreedy_When_TopKIsOne()
    {
        using var model = CheckpointDirectory.LoadModel(TestPaths.TestData("training", "qwen3-reference"), ScalarType.Float32, CPU);
        var generator = new Qwen3Generator(model, padId: 0);
        IReadOnlyList<int>[] prompts = [[5, 17, 42], [9, 8, 7, 6, 5]];
        var stop = new HashSet<int>();

        var greedy = generator.GenerateGreedy(prompts, 6, stop);
        using var g1 = new Generator(7, CPU);
        var topOne = generator.GenerateSampled(prompts, 6, stop, new SamplingSettings(0.7, 0.95, 1), g1);
        using var g2 = new Generator(123, CPU);
        var a = generator.GenerateSampled(prompts, 6, stop, new SamplingSettings(1.5, 1.0, null), g2);
        using var g3 = new Generator(123, CPU);
        var b = generator.GenerateSampled(prompts, 6, stop, new SamplingSettings(1.5, 1.0, null), g3);

        topOne.Should().BeEquivalentTo(greedy, o => o.WithStrictOrdering());
        a.Should().BeEquivalentTo(b, o => o.WithStrictOrdering());
        a.Should().NotBeEquivalentTo(greedy, o => o.WithStrictOrdering(), "a hot sampler leaves the argmax path");
    }

    [Fact]
    public void Should_KeepOnlyNucleus_When_TopPIsSmall()
    {
        // Probabilities ∝ [0.5, 0.3, 0.2]: top_p 0.6 keeps the first two (mass before the third is 0.8 > 0.6).
        using var scope = NewDisposeScope();
        var logits = tensor(new float[] { MathF.Log(0.5f), MathF.Log(0.3f), MathF.Log(0.2f) }).unsqueeze(0).expand(2000, 3);
        using var g = new Generator(1, CPU);
        var drawn = Qwen3Generator.Sample(logits, new SamplingSettings(1.0, 0.6, null), g).data<long>().ToArray();

        drawn.Should().NotContain(2);
        drawn.Count(d => d == 0).Should().BeInRange(1150, 1350, "0.5 / 0.8 = 62.5% of 2000");
    }

    private static GrpoSettings RunSettings(TempDirectory dir, string init, string outName, int maxSteps, int saveEvery = 100) => new()
    {
        InitFrom = init,
        OutputDirectory = dir.Combine(outName),
        Tokenizer = SharedTokenizer.Folder,
        NumGenerations = 3,
        PromptsPerStep = 2,
        MaxCompletionLength = 6,
        MicroBatchSize = 4,
        MaxSteps = maxSteps,
        LearningRate = 1e-3,
        WarmupRatio = 0,
        Beta = 0.04,
        Sampling = new SamplingSettings(1.0, 1.0, null),
        SaveEvery = saveEvery,
        Seed = 3,
        Threads = 2,
    };

    private static IReadOnlyList<GrpoPrompt> Prompts() =>
    [
        new("d:1", "labevents", "Potassium 5.9 mEq/L\nWhich lab tests are ordered next?", new RewardTarget(AnswerKind.LabelSet, ["Potassium"]), Think: true),
        new("r:1", "mortality", "Age 80\nWill the patient die in hospital?", new RewardTarget(AnswerKind.StartsWith, ["yes"]), Think: false),
        new("d:2", "labevents", "Sodium 120\nWhich lab tests are ordered next?", new RewardTarget(AnswerKind.LabelSet, ["Sodium"]), Think: true),
    ];

    [RequiresTokenizerFact]
    public async Task Should_WriteMetricsAndResumeExactly_When_RunInterruptedAtCheckpoint()
    {
        // Given: an uninterrupted 3-step run
        using var dir = new TempDirectory();
        var init = TinyCheckpoint(dir);
        var straight = await new GrpoTrainer(NullLogger.Instance).RunAsync(RunSettings(dir, init, "straight", 3), Prompts(), null, CancellationToken.None);

        // When: a run with a checkpoint after step 2, cancelled, then resumed by a new trainer
        var cts = new CancellationTokenSource();
        var interrupted = () => new GrpoTrainer(NullLogger.Instance).RunAsync(RunSettings(dir, init, "resumed", 3, saveEvery: 2), Prompts(), new CancelAfter(cts, 2), cts.Token);
        await interrupted.Should().ThrowAsync<OperationCanceledException>();
        var resumed = await new GrpoTrainer(NullLogger.Instance).RunAsync(RunSettings(dir, init, "resumed", 3, saveEvery: 2), Prompts(), null, CancellationToken.None);

        // Then
        resumed.ResumedFromStep.Should().Be(2);
        resumed.History.Should().BeEquivalentTo(straight.History, o => o.WithStrictOrdering());
        straight.History.Should().HaveCount(3);
        straight.History.Should().OnlyContain(h => h.Completions == 6 && h.CompletionLengthMean > 0 && h.CompletionLengthMean <= 6);
        File.ReadAllLines(dir.Combine("straight", "metrics.jsonl")).Should().HaveCount(3);
        File.Exists(dir.Combine("straight", "model", "model.safetensors")).Should().BeTrue();
        straight.CompletionsPerSecond.Should().BePositive();
    }

    [Fact]
    public void Should_EndUserTurnWithThinkingSwitch_When_BuildingPrompts()
    {
        var prompts = Prompts();
        GrpoTrainer.UserMessage(prompts[0]).Should().EndWith("next?\n/think");
        GrpoTrainer.UserMessage(prompts[1]).Should().EndWith("hospital?\n/no_think");
        GrpoTrainer.StepPrompts(3, 2, 1, seed: 1, step: 0).Should().OnlyHaveUniqueItems().And.HaveCount(2);
    }

    private sealed class CancelAfter(CancellationTokenSource cts, long step) : IProgress<StageProgress>
    {
        public void Report(StageProgress value)
        {
            if (value.Phase == "grpo" && value.Done >= step)
            {
                cts.Cancel();
            }
        }
    }
}
