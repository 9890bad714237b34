using System.Text.Json.Serialization;

namespace EhrR1.Graph.Evaluation.Scoring;

/// <summary>A metric value with its bootstrap confidence interval (null bounds when not computed).</summary>
public sealed record MetricValue(
    [property: JsonPropertyName("value")] double? Value,
    [property: JsonPropertyName("ci_low")] double? CiLow,
    [property: JsonPropertyName("ci_high")] double? CiHigh);

/// <summary>Bootstrap settings as recorded in the result.</summary>
public sealed record BootstrapInfo(
    [property: JsonPropertyName("resamples")] int Resamples,
    [property: JsonPropertyName("seed")] int Seed,
    [property: JsonPropertyName("confidence")] double Confidence,
    [property: JsonPropertyName("method")] string Method);

/// <summary>Per-task result.</summary>
public sealed record TaskResult
{
    [JsonPropertyName("task")]
    public required string Task { get; init; }

    [JsonPropertyName("family")]
    public required string Family { get; init; }

    [JsonPropertyName("scoring")]
    public required string Scoring { get; init; }

    [JsonPropertyName("declared_metric")]
    public required string DeclaredMetric { get; init; }

    /// <summary>f1 (label-set tasks), accuracy (next_event), auroc (risk), rouge1_f (discharge).</summary>
    [JsonPropertyName("primary_metric")]
    public required string PrimaryMetric { get; init; }

    [JsonPropertyName("n")]
    public required int N { get; init; }

    /// <summary>Bench samples of this task with no prediction (not scored).</summary>
    [JsonPropertyName("missing")]
    public int Missing { get; init; }

    /// <summary>The primary metric with its bootstrap CI.</summary>
    [JsonPropertyName("primary")]
    public required MetricValue Primary { get; init; }

    /// <summary>Every metric computed for the task (point estimates).</summary>
    [JsonPropertyName("metrics")]
    public required IReadOnlyDictionary<string, double?> Metrics { get; init; }

    [JsonPropertyName("positives")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Positives { get; init; }

    [JsonPropertyName("negatives")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? Negatives { get; init; }

    /// <summary>Risk samples whose P(yes) came from the answer text (no log-probabilities): 1, 0, or 0.5.</summary>
    [JsonPropertyName("probability_from_text")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public int? ProbabilityFromText { get; init; }

    [JsonPropertyName("unterminated_thinking")]
    public int UnterminatedThinking { get; init; }

    /// <summary>Risk tasks: ROC curve points [fpr, tpr], thinned to at most a few hundred.</summary>
    [JsonPropertyName("roc")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<double[]>? Roc { get; init; }
}

/// <summary>A macro average over tasks (a family, or all tasks).</summary>
public sealed record MacroResult
{
    [JsonPropertyName("group")]
    public required string Group { get; init; }

    [JsonPropertyName("tasks")]
    public required int Tasks { get; init; }

    [JsonPropertyName("n")]
    public required int N { get; init; }

    /// <summary>Mean of the tasks' primary metrics, with the bootstrap CI of that mean.</summary>
    [JsonPropertyName("macro_primary")]
    public required MetricValue MacroPrimary { get; init; }

    /// <summary>Mean over the tasks where each metric is defined (point estimates).</summary>
    [JsonPropertyName("macro_metrics")]
    public required IReadOnlyDictionary<string, double?> MacroMetrics { get; init; }
}

/// <summary>The whole evaluation: <c>result.json</c>.</summary>
public sealed record EvaluationResult
{
    public const string SchemaName = "ehr-graph.eval-result/1";

    [JsonPropertyName("schema")]
    public string Schema { get; init; } = SchemaName;

    [JsonPropertyName("model")]
    public required string Model { get; init; }

    [JsonPropertyName("bench")]
    public required string Bench { get; init; }

    [JsonPropertyName("samples")]
    public required int Samples { get; init; }

    [JsonPropertyName("scored")]
    public required int Scored { get; init; }

    [JsonPropertyName("bootstrap")]
    public required BootstrapInfo Bootstrap { get; init; }

    [JsonPropertyName("calibration_bins")]
    public required int CalibrationBins { get; init; }

    [JsonPropertyName("tasks")]
    public required IReadOnlyList<TaskResult> Tasks { get; init; }

    /// <summary>decision_making, risk_prediction (families present), then "all".</summary>
    [JsonPropertyName("macro")]
    public required IReadOnlyList<MacroResult> Macro { get; init; }
}
