using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Cli.Run;

/// <summary>
/// Runs pipeline steps in order, each as its stage command in-process. A step whose arguments and inputs did not
/// change since its last success, and whose outputs exist, is skipped. Shows one line per step on stderr (the stages'
/// own logs are kept at warning level unless --verbose), and returns the per-step outcome for the summary.
/// </summary>
internal sealed class PipelineRunner(CliContext context, string runDirectory, bool force, bool verbose)
{
    private readonly string _stateDirectory = Path.Combine(runDirectory, ".state");

    public async Task<IReadOnlyList<StepOutcome>> RunAsync(IReadOnlyList<PipelineStep> steps, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(_stateDirectory);
        var outcomes = new List<StepOutcome>();
        var width = steps.Max(s => s.Name.Length);
        for (var i = 0; i < steps.Count; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var step = steps[i];
            var prefix = string.Create(CultureInfo.InvariantCulture, $"[{i + 1,2}/{steps.Count}] {step.Name.PadRight(width)} ");
            if (!step.Enabled)
            {
                outcomes.Add(new StepOutcome(step.Name, "disabled", 0, new Dictionary<string, long>(), step.DisabledReason));
                Line(prefix + "disabled" + (step.DisabledReason is null ? string.Empty : " (" + step.DisabledReason + ")"));
                continue;
            }

            var fingerprint = StepFingerprint.Compute(step, runDirectory);
            var statePath = Path.Combine(_stateDirectory, step.Name + ".json");
            if (!force && IsUpToDate(statePath, fingerprint, step))
            {
                var previous = LoadState(statePath);
                outcomes.Add(new StepOutcome(step.Name, "up to date", 0, previous?.Counts ?? new Dictionary<string, long>(), null));
                Line(prefix + "up to date (inputs unchanged)");
                continue;
            }

            if (step.CleanOutputs)
            {
                foreach (var o in step.Outputs)
                {
                    var p = PipelineStep.Resolve(runDirectory, o);
                    if (Directory.Exists(p))
                    {
                        Directory.Delete(p, recursive: true);
                    }
                    else
                    {
                        AtomicFile.TryDelete(p);
                    }
                }
            }

            Line(prefix + "running...");
            var clock = Stopwatch.StartNew();
            using var stdout = new StringWriter(CultureInfo.InvariantCulture);
            string[] args = [.. step.Command, .. step.Arguments, .. (verbose ? new[] { "--verbose" } : ["--quiet"])];
            var code = await CliApp.RunAsync(args, stdout, context.Error, cancellationToken);
            clock.Stop();
            var counts = ParseCounts(stdout.ToString());
            if (code != ExitCodes.Success)
            {
                outcomes.Add(new StepOutcome(step.Name, "failed", clock.Elapsed.TotalSeconds, counts, "exit code " + code.ToString(CultureInfo.InvariantCulture)));
                Line(prefix + (code == ExitCodes.Cancelled
                    ? string.Create(CultureInfo.InvariantCulture, $"cancelled after {clock.Elapsed.TotalSeconds:F1} s; rerun the same command to go on from this step")
                    : string.Create(CultureInfo.InvariantCulture, $"FAILED (exit code {code}) after {clock.Elapsed.TotalSeconds:F1} s; re-run this step alone with: ehr-graph {string.Join(' ', step.Command)} ...")));
                throw new StepFailedException(step.Name, code, outcomes);
            }

            AtomicFile.WriteAllText(statePath, JsonSerializer.Serialize(new StepState(fingerprint, counts), JsonDefaults.Indented));
            outcomes.Add(new StepOutcome(step.Name, "ran", clock.Elapsed.TotalSeconds, counts, null));
            var summary = string.Join(", ", counts.Take(4).Select(kv => kv.Key + "=" + kv.Value.ToString("N0", CultureInfo.InvariantCulture)));
            Line(prefix + string.Create(CultureInfo.InvariantCulture, $"done in {clock.Elapsed.TotalSeconds:F1} s") + (summary.Length > 0 ? "  " + summary : string.Empty));
        }

        return outcomes;
    }

    private void Line(string text)
    {
        context.Error.WriteLine(text);
        context.Error.Flush();
    }

    private bool IsUpToDate(string statePath, string fingerprint, PipelineStep step)
    {
        var state = LoadState(statePath);
        if (state is null || !string.Equals(state.Fingerprint, fingerprint, StringComparison.Ordinal))
        {
            return false;
        }

        return step.Outputs.All(o =>
        {
            var p = PipelineStep.Resolve(runDirectory, o);
            return File.Exists(p) || Directory.Exists(p);
        });
    }

    private static StepState? LoadState(string path)
    {
        try
        {
            return File.Exists(path) ? JsonSerializer.Deserialize<StepState>(File.ReadAllText(path), JsonDefaults.Indented) : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Reads the counts of the stage report(s) a command printed on stdout (JSON objects with a "Counts" map).</summary>
    internal static Dictionary<string, long> ParseCounts(string stdout)
    {
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var reader = new Utf8JsonReader(System.Text.Encoding.UTF8.GetBytes(stdout), new JsonReaderOptions { AllowMultipleValues = true, CommentHandling = JsonCommentHandling.Skip });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType != JsonTokenType.StartObject || reader.CurrentDepth != 0)
                {
                    continue;
                }

                using var doc = JsonDocument.ParseValue(ref reader);
                foreach (var name in new[] { "Counts", "counts" })
                {
                    if (doc.RootElement.TryGetProperty(name, out var c) && c.ValueKind == JsonValueKind.Object)
                    {
                        foreach (var p in c.EnumerateObject())
                        {
                            if (p.Value.ValueKind == JsonValueKind.Number && p.Value.TryGetInt64(out var v))
                            {
                                counts[p.Name] = v;
                            }
                        }
                    }
                }
            }
        }
        catch (JsonException)
        {
            // A command that printed non-JSON results (e.g. markdown) simply has no counts.
        }

        return counts;
    }

    private sealed record StepState(string Fingerprint, Dictionary<string, long> Counts);
}

/// <summary>What happened to one step.</summary>
internal sealed record StepOutcome(string Step, string Status, double ElapsedSeconds, IReadOnlyDictionary<string, long> Counts, string? Note);

/// <summary>A step failed; carries the outcomes so far for the summary.</summary>
internal sealed class StepFailedException(string step, int exitCode, IReadOnlyList<StepOutcome> outcomes)
    : Exception($"step {step} failed with exit code {exitCode}")
{
    public string Step { get; } = step;

    public int ExitCode { get; } = exitCode;

    public IReadOnlyList<StepOutcome> Outcomes { get; } = outcomes;
}
