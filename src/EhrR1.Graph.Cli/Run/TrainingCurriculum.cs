using System.Globalization;

namespace EhrR1.Graph.Cli.Run;

/// <summary>
/// The training steps of <c>ehr-graph run</c>, upstream's three stages in order, each starting from the checkpoint the
/// previous one wrote: <c>train-domain</c> (stage 1, SFT on the EHR-Ins export, from a random tiny model) →
/// <c>train-reasoning</c> (stage 2, SFT on the reasoning corpus; on only when <c>reason</c> can produce chains) →
/// <c>train-grpo</c> (stage 3, GRPO on the EHR-Bench train prompts); <c>eval</c> then scores the last checkpoint.
/// Demo settings are tiny (minutes on two CPU cores); run.json overrides any of them.
/// </summary>
internal static class TrainingCurriculum
{
    public const string Domain = "train-domain";
    public const string Reasoning = "train-reasoning";
    public const string Grpo = "train-grpo";

    /// <summary>The run's one training step before the curriculum; run.json files naming it configure <see cref="Domain"/>.</summary>
    public const string LegacyName = "train";

    /// <summary>The training stages in curriculum order, with the run folder each writes.</summary>
    public static readonly IReadOnlyList<(string Step, string Folder)> Stages =
        [(Domain, "model"), (Reasoning, "model-reasoning"), (Grpo, "model-grpo")];

    /// <summary>Where <c>reason</c> writes its chains; its presence (or an LLM endpoint) turns stage 2 on.</summary>
    public static string ReasoningResults(string run) => Path.Combine(run, "reasoning", "reasoning.jsonl");

    /// <summary>
    /// The steps from the reasoning corpus to the last training stage. Each stage's starting checkpoint is left to
    /// <see cref="HandOver"/>, which sees which stages run.json left on.
    /// </summary>
    /// <param name="run">Run folder.</param>
    /// <param name="domainSteps">Optimizer steps of stage 1 (<c>--train-steps</c>).</param>
    /// <param name="modelConfig">config.json of the random model stage 1 starts from.</param>
    /// <param name="chainsExpected">True when <c>reason</c> calls an endpoint or its chains are already in the run folder.</param>
    public static IReadOnlyList<PipelineStep> Steps(string run, int domainSteps, string modelConfig, bool chainsExpected)
    {
        string R(params string[] parts) => Path.Combine([run, .. parts]);
        var noCorpus = "no reasoning corpus: reason ran with --prepare-only (no EHRR1_LLM_ENDPOINT) and " + Path.Combine("reasoning", "reasoning.jsonl") + " is absent";
        PipelineStep NeedsChains(PipelineStep step) => chainsExpected ? step : step with { Enabled = false, DisabledReason = noCorpus };
        return
        [
            NeedsChains(new("reason-filter", ["reason", "filter"], ["--input", ReasoningResults(run), "--out", R("reasoning", "filtered.jsonl")],
                [ReasoningResults(run)], [R("reasoning", "filtered.jsonl")])),
            NeedsChains(new("corpus-reasoning", ["corpus", "build"], ["--reasoning", R("reasoning", "filtered.jsonl"), "--samples", R("tasks", "ehr-bench-train.jsonl"), "--out", R("corpus", "ehr-ins-reasoning.jsonl")],
                [R("reasoning", "filtered.jsonl"), R("tasks", "ehr-bench-train.jsonl")], [R("corpus", "ehr-ins-reasoning.jsonl")])),
            new(Domain, ["train"], ["--data", R("corpus", "ehr-ins-no-think.jsonl"), "--model-config", modelConfig, "--out", R("model"), "--max-steps", domainSteps.ToString(CultureInfo.InvariantCulture), "--batch-size", "4", "--max-length", "512", "--lr", "0.002", "--warmup-ratio", "0.1", "--eval-every", "1000", "--save-every", "1000", "--restart"],
                [R("corpus", "ehr-ins-no-think.jsonl"), modelConfig], [R("model")]),
            NeedsChains(new(Reasoning, ["train"], ["--data", R("corpus", "ehr-ins-reasoning.jsonl"), "--model-config", modelConfig, "--out", R("model-reasoning"), "--max-steps", "10", "--batch-size", "4", "--max-length", "512", "--lr", "0.001", "--warmup-ratio", "0.1", "--eval-every", "1000", "--save-every", "1000", "--restart"],
                [R("corpus", "ehr-ins-reasoning.jsonl"), modelConfig], [R("model-reasoning")])),
            new(Grpo, ["train", "grpo"], ["--data", R("tasks", "ehr-bench-train.jsonl"), "--init-from", string.Empty, "--out", R("model-grpo"), "--num-generations", "2", "--prompts-per-step", "2", "--max-prompt-length", "512", "--max-completion-length", "8", "--micro-batch", "4", "--max-steps", "4", "--lr", "0.0002", "--save-every", "1000", "--restart"],
                [R("tasks", "ehr-bench-train.jsonl")], [R("model-grpo")]),
        ];
    }

    /// <summary>
    /// Chains the checkpoints of the configured steps: each training stage left on starts from the model of the last
    /// stage before it that is on (the first one on trains from <c>--model-config</c>; GRPO cannot, so it is turned off
    /// when no SFT stage is on), and <c>eval</c> scores the model of the last stage on (off when none is). A
    /// <c>--init-from</c> or eval <c>--checkpoint</c> given in run.json is kept.
    /// </summary>
    public static List<PipelineStep> HandOver(IReadOnlyList<PipelineStep> steps, string run)
    {
        var result = steps.ToList();
        string? previous = null;
        foreach (var (name, folder) in Stages)
        {
            var at = result.FindIndex(s => s.Name == name);
            if (at < 0 || !result[at].Enabled)
            {
                continue;
            }

            var step = result[at];
            var given = Option(step.Arguments, "--init-from") is { Length: > 0 } g ? g : null;
            var start = given ?? (previous is null ? null : Path.Combine(previous, "model"));
            if (start is null && name == Grpo)
            {
                result[at] = step with { Enabled = false, DisabledReason = "no SFT stage on: GRPO needs a checkpoint to start from" };
                continue;
            }

            if (start is not null)
            {
                // run.json's own --init-from wins; otherwise the previous stage's model
                var config = Option(step.Arguments, "--model-config");
                result[at] = step with
                {
                    Arguments = [.. Without(Without(step.Arguments, "--model-config"), "--init-from"), "--init-from", start],
                    Inputs = [.. step.Inputs.Where(i => !string.Equals(i, config, StringComparison.Ordinal)), given ?? previous!],
                };
            }

            previous = Path.Combine(run, folder);
        }

        var eval = result.FindIndex(s => s.Name == "eval");
        if (eval >= 0 && result[eval].Enabled)
        {
            var step = result[eval];
            if (previous is null)
            {
                result[eval] = step with { Enabled = false, DisabledReason = "no training stage on" };
            }
            else if (Option(step.Arguments, "--checkpoint") is { } old && string.Equals(old, Path.Combine(run, "model", "model"), StringComparison.Ordinal))
            {
                // the run's default checkpoint (stage 1's) becomes the last stage's; a checkpoint given in run.json is kept
                var trained = Path.Combine(previous, "model");
                result[eval] = step with
                {
                    Arguments = [.. step.Arguments.Select(a => string.Equals(a, old, StringComparison.Ordinal) ? trained : a)],
                    Inputs = [.. step.Inputs.Select(i => string.Equals(i, Path.GetDirectoryName(old), StringComparison.Ordinal) ? previous : i)],
                };
            }
        }

        return result;
    }

    /// <summary>The value of <paramref name="option"/> in an argument list, or null.</summary>
    internal static string? Option(IReadOnlyList<string> arguments, string option)
    {
        for (var i = 0; i < arguments.Count - 1; i++)
        {
            if (string.Equals(arguments[i], option, StringComparison.Ordinal))
            {
                return arguments[i + 1];
            }
        }

        return null;
    }

    private static List<string> Without(IReadOnlyList<string> arguments, string option)
    {
        var list = arguments.ToList();
        var at = list.IndexOf(option);
        if (at >= 0)
        {
            list.RemoveRange(at, Math.Min(2, list.Count - at));
        }

        return list;
    }
}
