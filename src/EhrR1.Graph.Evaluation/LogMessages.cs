using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Evaluation;

/// <summary>Log messages of the evaluator (ids, counts and timings only; never patient text or model output).</summary>
internal static partial class LogMessages
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "Evaluating {Model}: {Selected} samples selected, {Done} already predicted, {Pending} to predict")]
    public static partial void RunStarting(ILogger logger, string model, int selected, int done, int pending);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Warning, Message = "Removed a torn last line ({Bytes} bytes) from the predictions file; that sample will be predicted again")]
    public static partial void TornLineRemoved(ILogger logger, long bytes);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Warning, Message = "Sample {SampleId} failed ({Reason}); it stays pending for the next run")]
    public static partial void SampleFailed(ILogger logger, string sampleId, string reason);

    [LoggerMessage(EventId = 9004, Level = LogLevel.Information, Message = "Predicted {Predicted} samples ({Failed} failed) in {Seconds:F1} s")]
    public static partial void RunFinished(ILogger logger, long predicted, long failed, double seconds);
}
