using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Tasks;

internal static partial class LogMessages
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Indexing tasks of {PatientCount} patients (window {WindowMode}, {WindowHours} h, {TaskCount} tasks)")]
    public static partial void IndexStarted(ILogger logger, int patientCount, EhrR1.Graph.Tasks.Indexing.ContextWindowMode windowMode, double windowHours, int taskCount);

    [LoggerMessage(Level = LogLevel.Information, Message = "Indexed {InstanceCount} task instances of {PatientCount} patients ({EventCount} events) in {ElapsedMs} ms")]
    public static partial void IndexFinished(ILogger logger, long instanceCount, long patientCount, long eventCount, long elapsedMs);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sampling {TaskCount} tasks from {IndexDirectory} (seed {Seed})")]
    public static partial void SampleStarted(ILogger logger, int taskCount, string indexDirectory, int seed);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {Task}: {Eligible} eligible, {Selected} selected (cap {Cap})")]
    public static partial void TaskSampled(ILogger logger, string task, long eligible, long selected, long cap);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Task}: label {Label} has only {Available} eligible instances, fewer than the {PerLabel} asked for by --balance-force")]
    public static partial void BalanceShort(ILogger logger, string task, string label, long available, long perLabel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Task {Task} is in the sampling config but has no index file; skipped")]
    public static partial void TaskMissing(ILogger logger, string task);

    [LoggerMessage(Level = LogLevel.Information, Message = "Removed {File}, a temporary file of an earlier export that was killed")]
    public static partial void StaleTempRemoved(ILogger logger, string file);

    [LoggerMessage(Level = LogLevel.Information, Message = "Exported {SampleCount} samples of {PatientCount} patients as {Format} in {ElapsedMs} ms")]
    public static partial void ExportFinished(ILogger logger, long sampleCount, long patientCount, EhrR1.Graph.Tasks.Export.ExportFormat format, long elapsedMs);
}
