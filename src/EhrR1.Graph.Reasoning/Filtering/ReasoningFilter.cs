using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Reasoning.Runs;
using EhrR1.Graph.Reasoning.Synthesis;

namespace EhrR1.Graph.Reasoning.Filtering;

/// <summary>
/// <c>ehr-graph reason filter</c>: keeps the chains that pass <see cref="ChainChecker"/> and the samples with at
/// least one, writes every rejected chain with its reasons, and optionally keeps a seeded, order-independent subset
/// (<see cref="FilterSettings.MaxSamples"/>, <see cref="FilterSettings.MultipleOf"/>). Streams: memory holds only the
/// selection heap.
/// </summary>
public static class ReasoningFilter
{
    public static async Task<StageReport> RunAsync(FilterSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var checker = new ChainChecker(settings);
        var counts = new SortedDictionary<string, long>(StringComparer.Ordinal);
        void Count(string key, long by = 1) => counts[key] = counts.GetValueOrDefault(key) + by;

        // Every passing record goes to a scratch file beside the output; it becomes the output when all are kept.
        var passFile = AtomicFile.Begin(settings.OutputPath, ".pass");
        var full = passFile.Path;
        var passTmp = passFile.TempPath;
        long passing = 0;
        try
        {
            await AtomicFile.WriteAsync(settings.RejectsPath, async (rejectStream, ct) =>
            {
                await using var passStream = new FileStream(passTmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
                using var pass = new JsonlWriter(passStream, leaveOpen: true);
                using var rejects = new JsonlWriter(rejectStream, leaveOpen: true);
                var seen = new SampleKeySet();
                await foreach (var line in JsonlReader.ReadAsync<ReasoningRecord>(settings.ResultsPath, cancellationToken: ct))
                {
                    var r = line.Value;
                    Count("samples_in");
                    if (r.SampleId is null || r.Chains is null || r.Labels is null)
                    {
                        throw new InputDataException("EHR-RSN-030", settings.ResultsPath, line.LineNumber, r.SampleId is null ? "sample_id" : r.Chains is null ? "chains" : "labels",
                            "a reasoning record lacks a required field", expected: "records written by `ehr-graph reason`");
                    }

                    if (!seen.Add(r.SampleId))
                    {
                        Count("duplicate_samples");
                        continue;
                    }

                    if (settings.ExcludeTasks.Contains(r.Task))
                    {
                        Count("excluded_task");
                        continue;
                    }

                    var kept = new List<string>();
                    var keptIdx = new List<int>();
                    for (var i = 0; i < r.Chains.Count; i++)
                    {
                        Count("chains_in");
                        var finish = i < r.FinishReasons.Count ? r.FinishReasons[i] : null;
                        var (reasons, coverage) = checker.Check(r.Chains[i], r.Labels, finish);
                        if (reasons.Count == 0)
                        {
                            kept.Add(r.Chains[i]);
                            keptIdx.Add(i);
                            Count("chains_kept");
                        }
                        else
                        {
                            rejects.Write(new FilterReject(r.SampleId, i, reasons, Math.Round(coverage, 4)));
                            Count("chains_rejected");
                            foreach (var reason in reasons)
                            {
                                Count("reject_" + reason);
                            }
                        }
                    }

                    if (kept.Count == 0)
                    {
                        Count("samples_rejected");
                        continue;
                    }

                    passing++;
                    pass.Write(new FilteredRecord(r.SampleId, r.Task, r.TaskType, r.PromptId, r.Model, r.Labels, r.LabelIsString, kept, keptIdx));
                    if (passing % 1000 == 0)
                    {
                        progress?.Report(new StageProgress("filter", counts["samples_in"], null, "samples"));
                    }
                }

                pass.Flush();
            }, cancellationToken);

            var target = passing;
            if (settings.MaxSamples is { } max)
            {
                target = Math.Min(target, max);
            }

            target -= target % settings.MultipleOf;
            Count("samples_passing", passing);
            if (target == passing)
            {
                passFile.Commit();
            }
            else
            {
                var chosen = await SelectAsync(passTmp, target, settings.Seed, cancellationToken);
                await AtomicFile.WriteAsync(full, async (stream, ct) =>
                {
                    using var writer = new JsonlWriter(stream, leaveOpen: true);
                    await foreach (var line in JsonlReader.ReadAsync<FilteredRecord>(passTmp, cancellationToken: ct))
                    {
                        if (chosen.Contains(Score(settings.Seed, line.Value.SampleId)))
                        {
                            writer.Write(line.Value);
                        }
                    }

                    writer.Flush();
                }, cancellationToken);
            }

            Count("samples_kept", target);
        }
        finally
        {
            passFile.Dispose();
        }

        new RunManifest
        {
            Stage = "reason filter",
            Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["min_coverage"] = settings.MinCoverage.ToString(CultureInfo.InvariantCulture),
                ["leak_phrases"] = string.Join("|", settings.LeakPhrases),
                ["require_sections"] = settings.RequireSections ? "true" : "false",
                ["reject_truncated"] = settings.RejectTruncated ? "true" : "false",
                ["exclude_tasks"] = string.Join(",", settings.ExcludeTasks.Order(StringComparer.Ordinal)),
                ["max_samples"] = settings.MaxSamples?.ToString(CultureInfo.InvariantCulture),
                ["multiple_of"] = settings.MultipleOf.ToString(CultureInfo.InvariantCulture),
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
            },
            Inputs = [FileFingerprint.Of(settings.ResultsPath)],
            Counts = counts,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(Path.ChangeExtension(full, null) + ".manifest.json");
        return new StageReport("reason filter", clock.Elapsed.TotalSeconds, counts, [full, settings.RejectsPath]);
    }

    /// <summary>Seeded 64-bit score of a sample id; the <c>n</c> smallest scores are kept.</summary>
    public static ulong Score(int seed, string sampleId)
    {
        ArgumentNullException.ThrowIfNull(sampleId);
        var bytes = Encoding.UTF8.GetBytes(seed.ToString(CultureInfo.InvariantCulture) + "\u001f" + sampleId);
        return BinaryPrimitives.ReadUInt64LittleEndian(SHA256.HashData(bytes));
    }

    private static async Task<HashSet<ulong>> SelectAsync(string path, long n, int seed, CancellationToken cancellationToken)
    {
        // Max-heap of the n smallest scores (PriorityQueue is a min-heap: use the negated order).
        var heap = new PriorityQueue<ulong, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
        if (n > 0)
        {
            await foreach (var line in JsonlReader.ReadAsync<FilteredRecord>(path, cancellationToken: cancellationToken))
            {
                var s = Score(seed, line.Value.SampleId);
                if (heap.Count < n)
                {
                    heap.Enqueue(s, s);
                }
                else if (s < heap.Peek())
                {
                    heap.DequeueEnqueue(s, s);
                }
            }
        }

        return heap.UnorderedItems.Select(i => i.Element).ToHashSet();
    }
}
