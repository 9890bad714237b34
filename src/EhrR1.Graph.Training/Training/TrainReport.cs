namespace EhrR1.Graph.Training.Training;

/// <summary>One optimizer step's figures (also a line of metrics.jsonl).</summary>
public sealed record StepMetrics(int Step, double LearningRate, double Loss, double GradNorm, long Tokens, double? EvalLoss);

/// <summary>What a training run did.</summary>
public sealed record TrainReport(
    string ModelDirectory,
    int Steps,
    int ResumedFromStep,
    IReadOnlyList<StepMetrics> History,
    int TrainExamples,
    int EvalExamples,
    int Truncated,
    int Dropped,
    long ParameterCount,
    long TrainableParameterCount,
    double TokensPerSecond,
    double ElapsedSeconds);
