using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.SafeTensors;
using EhrR1.Graph.Training.Tests.Support;
using EhrR1.Graph.Training.Training;
using Microsoft.Extensions.Logging.Abstractions;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Tests.Training;

[Trait("Category", "Slow")]
public sealed class SftTrainerTests
{
    private static TrainSettings Settings(TempDirectory dir, string outName, int maxSteps, int saveEvery = 1000, LoraSettings? lora = null)
    {
        var config = dir.Combine("tiny.json");
        if (!File.Exists(config))
        {
            File.WriteAllText(config, TinyCorpus.TinyConfigJson);
        }

        var data = dir.Combine("train.jsonl");
        if (!File.Exists(data))
        {
            TinyCorpus.Write(data, 48, seed: 7);
            TinyCorpus.Write(dir.Combine("eval.jsonl"), 8, seed: 99);
        }

        return new TrainSettings
        {
            Data = data,
            EvalData = dir.Combine("eval.jsonl"),
            OutputDirectory = dir.Combine(outName),
            ModelConfig = config,
            Tokenizer = SharedTokenizer.Folder,
            MaxLength = 256,
            BatchSize = 4,
            GradientAccumulation = 2,
            MaxSteps = maxSteps,
            LearningRate = 1e-2,
            WarmupRatio = 0.1,
            Seed = 11,
            EvalEvery = 5,
            SaveEvery = saveEvery,
            Lora = lora,
            Threads = 2,
        };
    }

    [RequiresTokenizerFact]
    public async Task Should_LowerLoss_When_TrainingTinyModelFromScratch()
    {
        using var dir = new TempDirectory();
        var report = await new SftTrainer(NullLogger.Instance).RunAsync(Settings(dir, "out", maxSteps: 30), null, CancellationToken.None);

        report.History.Should().HaveCount(30);
        var first = report.History.Take(3).Average(h => h.Loss);
        var last = report.History.TakeLast(3).Average(h => h.Loss);
        last.Should().BeLessThan(first * 0.6, "the answer tokens are learnable from the record");
        report.History[^1].EvalLoss.Should().NotBeNull();
        File.Exists(Path.Combine(report.ModelDirectory, "model.safetensors")).Should().BeTrue();
        File.Exists(Path.Combine(report.ModelDirectory, "tokenizer.json")).Should().BeTrue();
        File.ReadAllLines(dir.Combine("out", "metrics.jsonl")).Should().HaveCount(30);
    }

    [RequiresTokenizerFact]
    public async Task Should_ReproduceLossCurveExactly_When_ResumingFromCheckpoint()
    {
        // Given: one uninterrupted run of 12 steps
        using var dir = new TempDirectory();
        var straight = await new SftTrainer(NullLogger.Instance).RunAsync(Settings(dir, "straight", 12), null, CancellationToken.None);

        // When: a run stopped after 7 steps (checkpoint every 7), then resumed to 12 in a new trainer
        var interrupted = Settings(dir, "resumed", 7, saveEvery: 7) with { MaxSteps = 12 };
        var cts = new CancellationTokenSource();
        var progress = new CancelAt(cts, 8);
        var act = () => new SftTrainer(NullLogger.Instance).RunAsync(interrupted, progress, cts.Token);
        await act.Should().ThrowAsync<OperationCanceledException>();
        Directory.GetDirectories(dir.Combine("resumed", "checkpoints")).Should().ContainSingle();
        var resumed = await new SftTrainer(NullLogger.Instance).RunAsync(interrupted, null, CancellationToken.None);

        // Then
        resumed.ResumedFromStep.Should().Be(7);
        resumed.History.Select(h => h.Loss).Should().Equal(straight.History.Select(h => h.Loss));
        resumed.History.Select(h => h.EvalLoss).Should().Equal(straight.History.Select(h => h.EvalLoss));
    }

    [RequiresTokenizerFact]
    public async Task Should_StopWithExit1NamingTheFile_When_TheLatestCheckpointIsDamaged()
    {
        // Given: a run of 3 steps that left a checkpoint at step 2, whose optimizer state then had a byte flipped
        using var dir = new TempDirectory();
        var settings = Settings(dir, "out", 3, saveEvery: 2);
        await new SftTrainer(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);
        var optimizer = dir.Combine("out", "checkpoints", "step-0000002", TrainingCheckpoints.OptimizerFile);
        var bytes = File.ReadAllBytes(optimizer);
        bytes[^5] ^= 0xFF;
        File.WriteAllBytes(optimizer, bytes);

        // When: the same command, asked for more steps, resumes
        var act = () => new SftTrainer(NullLogger.Instance).RunAsync(settings with { MaxSteps = 4 }, null, CancellationToken.None);

        // Then
        var ex = (await act.Should().ThrowAsync<InputDataException>()).Which;
        ex.Code.Should().Be("EHR-TRN-031");
        ex.ExitCode.Should().Be(ExitCodes.BadInput);
        ex.File.Should().Be(optimizer);
    }

    [RequiresTokenizerFact]
    public async Task Should_TrainOnlyAdaptersAndMergeOnExport_When_LoraEnabled()
    {
        // Given: a base model to adapt
        using var dir = new TempDirectory();
        var baseRun = await new SftTrainer(NullLogger.Instance).RunAsync(Settings(dir, "base", 4), null, CancellationToken.None);
        var lora = new LoraSettings { Rank = 4, Alpha = 8, TargetModules = ["q_proj", "v_proj", "down_proj"] };
        var settings = Settings(dir, "lora", 6, lora: lora) with { ModelConfig = null, InitFrom = baseRun.ModelDirectory };

        // When
        var report = await new SftTrainer(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);

        // Then: 2 layers x (q, v, down) x (A, B) adapters, base untouched except through the merge
        report.TrainableParameterCount.Should().BeLessThan(report.ParameterCount / 50);
        using var scope = NewDisposeScope();
        using var original = CheckpointDirectory.LoadModel(baseRun.ModelDirectory, ScalarType.Float32, CPU);
        using var merged = CheckpointDirectory.LoadModel(report.ModelDirectory, ScalarType.Float32, CPU);
        var before = original.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var changed = merged.named_parameters().Where(p => !p.parameter.allclose(before[p.name], 0, 0)).Select(p => p.name).ToList();
        changed.Should().NotBeEmpty().And.OnlyContain(n => n.EndsWith("q_proj.weight") || n.EndsWith("v_proj.weight") || n.EndsWith("down_proj.weight"));
        File.Exists(Path.Combine(report.ModelDirectory, "adapter_model.safetensors")).Should().BeTrue();
    }

    [RequiresTokenizerFact]
    public async Task Should_TrainOnBothDatasets_When_MixingASecondOneByCurriculum()
    {
        // Given: stage 1's model, and a second dataset of 12 records withheld until late (48 + 12 records: from 0.5)
        using var dir = new TempDirectory();
        var stage1 = await new SftTrainer(NullLogger.Instance).RunAsync(Settings(dir, "stage1", 2), null, CancellationToken.None);
        var second = TinyCorpus.Write(dir.Combine("second.jsonl"), 12, seed: 21);
        var settings = Settings(dir, "stage2", 8) with
        {
            ModelConfig = null, InitFrom = stage1.ModelDirectory, MixData = second, Mixing = DatasetMixing.Curriculum, EvalData = null,
        };

        // When
        var report = await new SftTrainer(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);

        // Then: both datasets are the training set, every step trained, and the manifest names the mixing
        report.TrainExamples.Should().Be(60);
        report.History.Should().HaveCount(8).And.OnlyContain(h => double.IsFinite(h.Loss) && h.Tokens > 0);
        File.ReadAllText(dir.Combine("stage2", "manifest.json")).Should().Contain("\"mixing\": \"Curriculum\"").And.Contain("second.jsonl");
    }

    [Fact]
    public async Task Should_AskForTheSecondDataset_When_CurriculumMixingHasNone()
    {
        var settings = new TrainSettings { Data = "x.jsonl", OutputDirectory = "out", ModelConfig = "c.json", Mixing = DatasetMixing.Curriculum };

        var act = () => new SftTrainer(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);

        (await act.Should().ThrowAsync<StageConfigurationException>()).Which.Problems.Should().ContainSingle().Which.Should().Contain("--mix-data");
    }

    [Fact]
    public async Task Should_ListEveryProblem_When_SettingsInvalid()
    {
        var settings = new TrainSettings { Data = "x.jsonl", OutputDirectory = "out", BatchSize = 0, WarmupRatio = 2 };

        var act = () => new SftTrainer(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);

        var ex = await act.Should().ThrowAsync<StageConfigurationException>();
        ex.Which.Problems.Should().HaveCount(3);
    }

    private sealed class CancelAt(CancellationTokenSource cts, long step) : IProgress<EhrR1.Graph.Core.Pipeline.StageProgress>
    {
        public void Report(EhrR1.Graph.Core.Pipeline.StageProgress value)
        {
            if (value.Phase == "train" && value.Done >= step - 1)
            {
                cts.Cancel();
            }
        }
    }
}
