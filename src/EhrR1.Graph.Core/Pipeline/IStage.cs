namespace EhrR1.Graph.Core.Pipeline;

/// <summary>A stage: reads its inputs, writes its outputs atomically, and reports what it did. Run it through <see cref="StageRunner"/>.</summary>
/// <typeparam name="TSettings">The stage's settings record.</typeparam>
public interface IStage<in TSettings>
    where TSettings : IStageSettings
{
    /// <summary>Runs the stage on settings that <see cref="StageRunner"/> has already validated.</summary>
    Task<StageReport> RunAsync(TSettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken);
}
