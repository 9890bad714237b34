using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Core.Pipeline;

/// <summary>
/// Runs a stage the same way every time: validates the settings and checks the inputs (every problem reported at
/// once, as a <see cref="StageConfigurationException"/>), applies the stage's policy on existing outputs, runs it,
/// and on success writes the run manifest from the settings. A stage that throws leaves no manifest.
/// </summary>
public static class StageRunner
{
    /// <summary>Runs <paramref name="stage"/> with <paramref name="settings"/>; returns its report with the manifest added to the outputs.</summary>
    public static async Task<StageReport> RunAsync<TSettings>(
        IStage<TSettings> stage, TSettings settings, IProgress<StageProgress> progress, CancellationToken cancellationToken)
        where TSettings : IStageSettings
    {
        ArgumentNullException.ThrowIfNull(stage);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(progress);
        Check(settings);
        var report = await stage.RunAsync(settings, progress, cancellationToken);
        var manifestPath = settings.ManifestPath;
        new RunManifest
        {
            Stage = settings.StageName,
            Settings = settings.Describe(),
            Inputs = [.. settings.Inputs.Where(i => File.Exists(i.Path)).Select(i => FileFingerprint.Of(Path.GetFullPath(i.Path)))],
            Counts = report.Counts,
            ElapsedSeconds = report.ElapsedSeconds,
        }.Save(manifestPath);
        return report with { Outputs = [.. report.Outputs, manifestPath] };
    }

    /// <summary>Throws one <see cref="StageConfigurationException"/> listing every settings problem, missing input and refused output.</summary>
    public static void Check(IStageSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var problems = new List<string>(settings.Validate());
        foreach (var input in settings.Inputs)
        {
            if (!File.Exists(input.Path) && !Directory.Exists(input.Path))
            {
                var problem = input.Option + ": " + input.Path + " does not exist.";
                problems.Add(input.Fix is null ? problem : problem + " " + input.Fix.TrimEnd('.') + ".");
            }
        }

        if (settings.OnExistingOutputs == ExistingOutputs.Refuse)
        {
            foreach (var output in settings.Outputs)
            {
                var full = Path.GetFullPath(output);
                if (Directory.Exists(full) && Directory.EnumerateFileSystemEntries(full).Any())
                {
                    problems.Add($"Output folder {full} already exists and is not empty. Pass --force to overwrite it, or choose another output folder.");
                }
                else if (File.Exists(full))
                {
                    problems.Add($"Output file {full} already exists. Pass --force to overwrite it, or choose another output file.");
                }
            }
        }

        StageConfigurationException.ThrowIfAny(problems);
    }
}
