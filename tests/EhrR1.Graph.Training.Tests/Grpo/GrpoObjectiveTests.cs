using EhrR1.Graph.Training.Grpo;
using EhrR1.Graph.Training.Native;
using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Tests.Grpo;

/// <summary>A 2-prompt × 3-sample batch, numbers worked out by hand.</summary>
public sealed class GrpoObjectiveTests
{
    // Prompt 1 rewards [1, 0, 0.5]: mean 0.5, deviations [0.5, -0.5, 0], unbiased variance (0.25 + 0.25 + 0) / 2 = 0.25,
    // std 0.5, advantages ±0.5 / (0.5 + 1e-4) = ±0.99980004 and 0.
    // Prompt 2 rewards [1, 1, 1]: std 0, advantages 0: one of two groups has zero variance.
    private static readonly double[] Rewards = [1, 0, 0.5, 1, 1, 1];
    private const double A = 0.5 / 0.5001; // 0.9998000399920016

    public GrpoObjectiveTests() => TorchSharpNative.EnsureLoadable();

    [Fact]
    public void Should_NormaliseWithinGroups_When_ScalingByGroupStd()
    {
        var result = GrpoObjective.Advantages(Rewards, groupSize: 3);

        result.Advantages.Should().Equal([A, -A, 0, 0, 0, 0], (x, y) => Math.Abs(x - y) < 1e-12);
        result.GroupStd.Should().Equal([0.5, 0.0], (x, y) => Math.Abs(x - y) < 1e-12);
        result.ZeroVarianceShare.Should().Be(0.5);
    }

    [Fact]
    public void Should_UseBatchStdOrNoScale_When_Asked()
    {
        // Batch: mean 0.75, squared deviations 0.0625 + 0.5625 + 0.0625 + 3 × 0.0625 = 0.875, variance 0.875 / 5 = 0.175,
        // std 0.41833001; advantages still subtract the group mean: 0.5 / (0.41833001 + 1e-4) = 1.19494296.
        GrpoObjective.Advantages(Rewards, 3, RewardScaling.Batch).Advantages[0].Should().BeApproximately(1.1949429633311344, 1e-12);
        GrpoObjective.Advantages(Rewards, 3, RewardScaling.None).Advantages.Should().Equal(0.5, -0.5, 0, 0, 0, 0);
        var bad = () => GrpoObjective.Advantages(Rewards, 4);
        bad.Should().Throw<ArgumentException>();
    }

    // Two completion tokens per sample. Ratios exp(logπ − logπ_old): sample 0 [1.5, 1], sample 1 [0.5, 1], others 1.
    // Masks: samples 2 and 4 have one token, the others two: 10 completion tokens.
    // ε = 0.2. Token losses −min(ratio·A, clip(ratio, 0.8, 1.2)·A):
    //   sample 0 (A = a): −min(1.5a, 1.2a) = −1.2a (clipped high), −a;
    //   sample 1 (A = −a): −min(−0.5a, −0.8a) = 0.8a (clipped low), a;
    //   samples 2–5 (A = 0): 0.
    // Sum −1.2a − a + 0.8a + a = −0.4a.
    //   dapo: −0.4a / 10 = −0.039992002;
    //   grpo: mean over samples of token means = (−1.1a + 0.9a) / 6 = −0.033326668;
    // Clip fraction 2 / 10.
    private static (Tensor LogP, Tensor Old, Tensor Adv, Tensor Mask) Batch()
    {
        var old = zeros(6, 2, dtype: ScalarType.Float64) - 1.0;
        var shift = zeros(6, 2, dtype: ScalarType.Float64);
        shift[0, 0] = tensor(Math.Log(1.5), ScalarType.Float64);
        shift[1, 0] = tensor(Math.Log(0.5), ScalarType.Float64);
        var logP = (old + shift).requires_grad_(true);
        var adv = tensor(GrpoObjective.Advantages(Rewards, 3).Advantages, ScalarType.Float64);
        var mask = tensor(new double[] { 1, 1, 1, 1, 1, 0, 1, 1, 1, 0, 1, 1 }, [6, 2], ScalarType.Float64);
        return (logP, old, adv, mask);
    }

    [Fact]
    public void Should_MatchHandComputedClippedLoss_When_DapoAndGrpoAggregation()
    {
        using var scope = NewDisposeScope();
        var (logP, old, adv, mask) = Batch();

        var dapo = GrpoObjective.Loss(logP, old, null, adv, mask, 0.2, 0.2, 0.0, GrpoLossType.Dapo, dapoTokens: 10, maxCompletionLength: 2);
        var grpo = GrpoObjective.Loss(logP, old, null, adv, mask, 0.2, 0.2, 0.0, GrpoLossType.Grpo, 10, 2);

        dapo.Loss.item<double>().Should().BeApproximately(-0.4 * A / 10, 1e-12);
        grpo.Loss.item<double>().Should().BeApproximately(-0.2 * A / 6, 1e-12);
        dapo.ClippedTokens.Should().Be(2);
        dapo.Tokens.Should().Be(10);
        dapo.KlSum.Should().Be(0);

        // Gradient: a clipped token gets none; an unclipped token of sample 0 gets −A·ratio / 10 = −a / 10.
        dapo.Loss.backward();
        var grad = logP.grad!;
        grad[0, 0].item<double>().Should().Be(0);
        grad[1, 0].item<double>().Should().Be(0);
        grad[0, 1].item<double>().Should().BeApproximately(-A / 10, 1e-12);
        grad[1, 1].item<double>().Should().BeApproximately(A / 10, 1e-12);
    }

    [Fact]
    public void Should_AddKlToReference_When_BetaIsPositive()
    {
        // Reference equals the policy except sample 3, token 0, where log π_ref − log π = ln 2:
        // KL = e^{ln 2} − ln 2 − 1 = 0.306852819. β = 0.1: dapo = (−0.4a + 0.1 × 0.306852819) / 10 = −0.036923473.
        using var scope = NewDisposeScope();
        var (logP, old, adv, mask) = Batch();
        var reference = logP.detach().clone();
        reference[3, 0] = reference[3, 0] + Math.Log(2);

        var result = GrpoObjective.Loss(logP, old, reference, adv, mask, 0.2, 0.2, 0.1, GrpoLossType.Dapo, 10, 2);

        result.Loss.item<double>().Should().BeApproximately(-0.03692347340527952, 1e-12);
        result.KlSum.Should().BeApproximately(0.3068528194400546, 1e-6);
        var noReference = () => GrpoObjective.Loss(logP, old, null, adv, mask, 0.2, 0.2, 0.1, GrpoLossType.Dapo, 10, 2);
        noReference.Should().Throw<ArgumentException>();
    }
}
