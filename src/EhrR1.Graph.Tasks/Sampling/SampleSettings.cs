namespace EhrR1.Graph.Tasks.Sampling;

/// <summary>Which subjects of a seeded ratio split to keep.</summary>
public enum SplitPart
{
    Train,
    Test,
}

/// <summary>Settings of <c>ehr-graph tasks sample</c> (upstream §2.2, seeded).</summary>
public sealed record SampleSettings
{
    /// <summary>The task index folder written by <c>tasks index</c>.</summary>
    public required string IndexDirectory { get; init; }

    /// <summary>JSON object <c>{"task": cap, ...}</c>; only the tasks named there are sampled.</summary>
    public required string ConfigPath { get; init; }

    /// <summary>The sampled index rows (JSONL).</summary>
    public required string OutputFile { get; init; }

    public int Seed { get; init; } = 42;

    /// <summary>Upstream <c>--force_task_num</c>: ≥ 1 is a count for every task, &lt; 1 a fraction of each cap.</summary>
    public double? ForceTaskNum { get; init; }

    /// <summary>Risk tasks: the same number of instances per label value.</summary>
    public bool BalanceForce { get; init; }

    /// <summary>Weighted sampling (by target_weight) for every task, not only risk, chartevents, emar and next_event.</summary>
    public bool BalanceSample { get; init; }

    /// <summary>Strict lower bound of the context length (events).</summary>
    public int ContextMin { get; init; } = 10;

    /// <summary>Strict upper bound of the context length (events).</summary>
    public int ContextMax { get; init; } = 100;

    /// <summary>chartevents instances must have fewer labels than this.</summary>
    public int ChartLabelLimit { get; init; } = 10;

    /// <summary>
    /// Upstream rule for procedures/diagnoses tasks: keep rows without an admission record or whose admission record is
    /// inside the context (admissions_id &gt; context_begin).
    /// </summary>
    public bool AdmissionsRule { get; init; } = true;

    /// <summary>A file of subject ids (one per line, or the first CSV column; a non-numeric header is skipped).</summary>
    public string? SubjectsFile { get; init; }

    /// <summary>Share of subjects put in the test part by a seeded hash of the subject id.</summary>
    public double? TestRatio { get; init; }

    /// <summary>Which part of the ratio split to keep.</summary>
    public SplitPart Split { get; init; } = SplitPart.Train;

    public bool Force { get; init; }

    /// <summary>
    /// Also write the subject ids of the chosen part (every subject of the index that the split keeps, ascending, one
    /// per line), e.g. the training subjects for <c>graph cooccur --train-subjects</c>.
    /// </summary>
    public string? SubjectsOutputFile { get; init; }

    public IEnumerable<string> Validate()
    {
        if (ContextMin < 0 || ContextMax <= ContextMin + 1)
        {
            yield return $"--context-min/--context-max must leave room for a length strictly between them; got {ContextMin} and {ContextMax}.";
        }

        if (ForceTaskNum is { } f && (f <= 0 || double.IsNaN(f)))
        {
            yield return $"--force-task-num must be > 0 (≥ 1: a count per task, < 1: a fraction of each cap); got {f}.";
        }

        if (TestRatio is { } r && (r <= 0 || r >= 1))
        {
            yield return $"--test-ratio must be in (0, 1); got {r}.";
        }

        if (Split == SplitPart.Test && TestRatio is null)
        {
            yield return "--split test needs --test-ratio (the share of subjects that forms the test part); without it no split is made and every subject would be written.";
        }

        if (TestRatio is not null && SubjectsFile is not null)
        {
            yield return "--subjects and --test-ratio both choose the split; pass only one.";
        }

        if (!Force && File.Exists(OutputFile))
        {
            yield return $"Output file {OutputFile} already exists. Pass --force to overwrite it, or choose another --out.";
        }

        if (ChartLabelLimit < 1)
        {
            yield return $"--chart-label-limit must be ≥ 1; got {ChartLabelLimit}.";
        }
    }
}
