using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Evaluation.Predictions;
using EhrR1.Graph.Evaluation.Scoring;

namespace EhrR1.Graph.Evaluation.Running;

/// <summary>The files <c>eval score</c> (and the end of <c>eval run</c>) writes.</summary>
public sealed record EvaluationOutputs(string ResultJson, string ResultMarkdown, string ScoresJsonl, string Manifest);

/// <summary>
/// Scores a predictions file against a bench and writes <c>scores.jsonl</c> (bench order), <c>result.json</c>,
/// <c>results.md</c> and <c>manifest.json</c>, each atomically.
/// </summary>
public static class EvaluationScoring
{
    public const string ResultFileName = "result.json";
    public const string MarkdownFileName = "results.md";
    public const string ScoresFileName = "scores.jsonl";

    public static async Task<(EvaluationResult Result, EvaluationOutputs Outputs, int UnmatchedPredictions)> ScoreAsync(
        EvaluationRunSettings settings,
        string model,
        IReadOnlyDictionary<string, string?>? extraManifestSettings,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Core.Errors.StageConfigurationException.ThrowIfAny(settings.Validate());
        var clock = Stopwatch.StartNew();
        var gold = await EvaluationRunner.SelectSamplesAsync(settings, includeText: false, cancellationToken);
        var predictions = File.Exists(settings.PredictionsFile)
            ? await PredictionStore.LoadAsync(settings.PredictionsFile, cancellationToken)
            : throw new Core.Errors.InputDataException("EHR-EVAL-011", settings.PredictionsFile, null, null, "the predictions file does not exist", fix: "Run `ehr-graph eval run` first, or pass --predictions");
        var known = new HashSet<string>(gold.Select(g => g.SampleId), StringComparer.Ordinal);
        var unmatched = predictions.Keys.Count(k => !known.Contains(k));

        var (result, scores) = EvaluationScorer.Score(gold, predictions, model, Path.GetFileName(settings.BenchPath), settings.Scoring, cancellationToken);

        Directory.CreateDirectory(settings.OutputDirectory);
        var outputs = new EvaluationOutputs(
            Path.Combine(settings.OutputDirectory, ResultFileName),
            Path.Combine(settings.OutputDirectory, MarkdownFileName),
            Path.Combine(settings.OutputDirectory, ScoresFileName),
            Path.Combine(settings.OutputDirectory, "manifest.json"));
        await AtomicFile.WriteAsync(
            outputs.ScoresJsonl,
            (stream, ct) =>
            {
                using var writer = new JsonlWriter(stream, JsonDefaults.Jsonl, leaveOpen: true);
                foreach (var s in scores)
                {
                    ct.ThrowIfCancellationRequested();
                    writer.Write(s);
                }

                writer.Flush();
                return Task.CompletedTask;
            },
            cancellationToken);
        AtomicFile.WriteAllText(outputs.ResultJson, JsonSerializer.Serialize(result, JsonDefaults.Indented) + "\n");
        AtomicFile.WriteAllText(outputs.ResultMarkdown, MarkdownReport.Render(result));

        var manifestSettings = new SortedDictionary<string, string?>(StringComparer.Ordinal)
        {
            ["bench"] = settings.BenchPath,
            ["predictions"] = settings.PredictionsFile,
            ["tasks"] = settings.Tasks.Count == 0 ? "all" : string.Join(",", settings.Tasks.Order(StringComparer.Ordinal)),
            ["max_per_task"] = settings.MaxPerTask.ToString(CultureInfo.InvariantCulture),
            ["bootstrap"] = settings.Scoring.BootstrapResamples.ToString(CultureInfo.InvariantCulture),
            ["seed"] = settings.Scoring.Seed.ToString(CultureInfo.InvariantCulture),
            ["calibration_bins"] = settings.Scoring.CalibrationBins.ToString(CultureInfo.InvariantCulture),
            ["model"] = model,
        };
        foreach (var (k, v) in extraManifestSettings ?? new Dictionary<string, string?>())
        {
            manifestSettings[k] = v;
        }

        new RunManifest
        {
            Stage = "eval",
            Settings = manifestSettings,
            Inputs = [FileFingerprint.Of(settings.BenchPath), FileFingerprint.Of(settings.PredictionsFile)],
            Counts = new SortedDictionary<string, long>(StringComparer.Ordinal)
            {
                ["samples"] = result.Samples,
                ["scored"] = result.Scored,
                ["tasks"] = result.Tasks.Count,
                ["unmatched_predictions"] = unmatched,
            },
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(outputs.Manifest);
        return (result, outputs, unmatched);
    }
}
