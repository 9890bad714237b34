using static TorchSharp.torch;

namespace EhrR1.Graph.Training.Grpo;

/// <summary>How rewards are scaled into advantages (TRL <c>scale_rewards</c>).</summary>
public enum RewardScaling
{
    /// <summary>Divide by the standard deviation within each group (TRL 0.22 default).</summary>
    Group,

    /// <summary>Divide by the standard deviation of the whole batch.</summary>
    Batch,

    /// <summary>No scaling (Dr. GRPO).</summary>
    None,
}

/// <summary>How the token losses are aggregated (TRL <c>loss_type</c>).</summary>
public enum GrpoLossType
{
    /// <summary>Sum over all completion tokens of the generation batch / their number (TRL 0.22 default).</summary>
    Dapo,

    /// <summary>Mean over sequences of each sequence's token mean (length-biased).</summary>
    Grpo,

    /// <summary>Sum over the tokens of the micro-batch / their number.</summary>
    Bnpo,

    /// <summary>Sum over tokens / (sequences × max completion length).</summary>
    DrGrpo,
}

/// <summary>Group advantages of a generation batch.</summary>
/// <param name="Advantages">One per completion, prompt-major (G consecutive completions per prompt).</param>
/// <param name="GroupStd">Per prompt: the (unbiased) standard deviation of its rewards.</param>
/// <param name="ZeroVarianceShare">Share of groups whose rewards are all equal (they carry no signal).</param>
public sealed record GroupAdvantages(double[] Advantages, double[] GroupStd, double ZeroVarianceShare);

/// <summary>Loss and diagnostics of one micro-batch.</summary>
/// <param name="Loss">Scalar to back-propagate.</param>
/// <param name="ClippedTokens">Completion tokens whose ratio was clipped (TRL's region clip: low with A &lt; 0, high with A &gt; 0).</param>
/// <param name="KlSum">Sum of the per-token KL estimates over completion tokens (0 without a reference).</param>
/// <param name="Tokens">Completion tokens in the micro-batch.</param>
public sealed record GrpoLossResult(Tensor Loss, double ClippedTokens, double KlSum, double Tokens);

/// <summary>
/// The GRPO objective as in TRL 0.22 (<c>GRPOTrainer._compute_loss</c>): group-normalised advantages
/// A = (r − mean) / (std + 1e-4) with torch's unbiased std; per token, ratio = exp(log π − log π_old),
/// loss = −min(ratio·A, clip(ratio, 1 − ε_low, 1 + ε_high)·A) + β·KL with the k3 estimator
/// KL = exp(log π_ref − log π) − (log π_ref − log π) − 1; aggregated by <see cref="GrpoLossType"/>.
/// </summary>
public static class GrpoObjective
{
    /// <summary>TRL's constant added to the standard deviation.</summary>
    public const double StdEpsilon = 1e-4;

    public static GroupAdvantages Advantages(IReadOnlyList<double> rewards, int groupSize, RewardScaling scaling = RewardScaling.Group)
    {
        ArgumentNullException.ThrowIfNull(rewards);
        if (groupSize <= 0 || rewards.Count % groupSize != 0)
        {
            throw new ArgumentException($"{rewards.Count} rewards do not split into groups of {groupSize}.", nameof(groupSize));
        }

        var groups = rewards.Count / groupSize;
        var advantages = new double[rewards.Count];
        var stds = new double[groups];
        var zero = 0;
        var batchStd = UnbiasedStd(rewards, 0, rewards.Count);
        for (var g = 0; g < groups; g++)
        {
            var start = g * groupSize;
            var mean = Enumerable.Range(start, groupSize).Average(i => rewards[i]);
            stds[g] = UnbiasedStd(rewards, start, groupSize);
            if (Math.Abs(stds[g]) < 1e-8)
            {
                zero++;
            }

            var scale = scaling switch
            {
                RewardScaling.Group => stds[g] + StdEpsilon,
                RewardScaling.Batch => batchStd + StdEpsilon,
                _ => 1.0,
            };
            for (var i = start; i < start + groupSize; i++)
            {
                advantages[i] = (rewards[i] - mean) / scale;
            }
        }

        return new GroupAdvantages(advantages, stds, groups == 0 ? 0 : (double)zero / groups);
    }

    /// <summary>Unbiased (n − 1) standard deviation, as <c>torch.std</c>; 0 for a single value.</summary>
    public static double UnbiasedStd(IReadOnlyList<double> values, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(values);
        if (count < 2)
        {
            return 0.0;
        }

        var mean = Enumerable.Range(start, count).Average(i => values[i]);
        var ss = Enumerable.Range(start, count).Sum(i => (values[i] - mean) * (values[i] - mean));
        return Math.Sqrt(ss / (count - 1));
    }

    /// <summary>The clipped objective of one micro-batch.</summary>
    /// <param name="logProbs">[B, T] log π of each completion token (with grad).</param>
    /// <param name="oldLogProbs">[B, T] log π_old (sampling policy); detached here.</param>
    /// <param name="refLogProbs">[B, T] log π_ref, or null when β = 0.</param>
    /// <param name="advantages">[B].</param>
    /// <param name="mask">[B, T] 1 for completion tokens, 0 for padding.</param>
    /// <param name="epsilonLow">Lower clip ε.</param>
    /// <param name="epsilonHigh">Upper clip ε (TRL: defaults to ε).</param>
    /// <param name="beta">KL coefficient.</param>
    /// <param name="lossType">Aggregation.</param>
    /// <param name="dapoTokens">Dapo: completion tokens in the whole generation batch (all micro-batches).</param>
    /// <param name="maxCompletionLength">Dr. GRPO's constant.</param>
    public static GrpoLossResult Loss(
        Tensor logProbs, Tensor oldLogProbs, Tensor? refLogProbs, Tensor advantages, Tensor mask,
        double epsilonLow, double epsilonHigh, double beta, GrpoLossType lossType, double dapoTokens, int maxCompletionLength)
    {
        ArgumentNullException.ThrowIfNull(logProbs);
        ArgumentNullException.ThrowIfNull(oldLogProbs);
        ArgumentNullException.ThrowIfNull(advantages);
        ArgumentNullException.ThrowIfNull(mask);
        var m = mask.to(logProbs.dtype);
        var a = advantages.to(logProbs.dtype).unsqueeze(1);
        var ratio = (logProbs - oldLogProbs.detach()).exp();
        var clipped = ratio.clamp(1 - epsilonLow, 1 + epsilonHigh);
        var perToken = -minimum(ratio * a, clipped * a);
        double klSum = 0;
        if (beta != 0.0)
        {
            if (refLogProbs is null)
            {
                throw new ArgumentException("β ≠ 0 needs reference log-probabilities.", nameof(refLogProbs));
            }

            var diff = refLogProbs.detach() - logProbs;
            var kl = diff.exp() - diff - 1;
            perToken = perToken + (beta * kl);
            klSum = Scalar((kl * m).sum());
        }

        var tokens = m.sum();
        var loss = lossType switch
        {
            GrpoLossType.Dapo => (perToken * m).sum() / Math.Max(1.0, dapoTokens),
            GrpoLossType.Bnpo => (perToken * m).sum() / tokens.clamp_min(1.0),
            GrpoLossType.DrGrpo => (perToken * m).sum() / (logProbs.shape[0] * (double)maxCompletionLength),
            _ => ((perToken * m).sum(1) / m.sum(1).clamp_min(1.0)).mean(),
        };

        using var noGrad = no_grad();
        var low = ratio.lt(1 - epsilonLow).logical_and(a.lt(0));
        var high = ratio.gt(1 + epsilonHigh).logical_and(a.gt(0));
        var clippedTokens = Scalar((low.logical_or(high).to(m.dtype) * m).sum());
        return new GrpoLossResult(loss, clippedTokens, klSum, Scalar(tokens));
    }

    /// <summary>A scalar tensor's value as a double, whatever its floating dtype.</summary>
    internal static double Scalar(Tensor t) => t.detach().to(ScalarType.Float64).cpu().item<double>();
}
