using System.Globalization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.Reasoning.Filtering;
using EhrR1.Graph.Reasoning.Input;
using EhrR1.Graph.Reasoning.Runs;

namespace EhrR1.Graph.Reasoning.Corpus;

/// <summary>
/// <c>ehr-graph corpus build</c>: EHR-Ins chat records for reasoning SFT. Reasoning records (from the filtered set,
/// user turn ending <c>/think</c>, assistant <c>&lt;think&gt;\nCHAIN\n&lt;/think&gt;\n\nLABELS</c>) are interleaved
/// evenly with a seeded selection of non-reasoning records from the tasks export (<c>/no_think</c>, empty think
/// block). Same inputs and seed give the same file byte for byte.
/// </summary>
public static class CorpusBuilder
{
    public static string ThinkAssistant(string chain, IReadOnlyList<string> labels) =>
        "<think>\n" + chain.Trim() + "\n</think>\n\n" + string.Join("\n", labels);

    public static string NoThinkAssistant(IReadOnlyList<string> labels) => "<think>\n\n</think>\n\n" + string.Join("\n", labels);

    public static async Task<StageReport> RunAsync(CorpusSettings settings, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        StageConfigurationException.ThrowIfAny(settings.Validate());
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var excluded = new SampleKeySet();
        using var samples = JsonlKeyIndex.Build(settings.SamplesPath, (e, line) =>
        {
            var s = BenchSampleReader.Parse(settings.SamplesPath, line, e);
            if (settings.ExcludeTasks.Contains(s.Task))
            {
                excluded.Add(s.SampleId);
            }

            return s.SampleId;
        }, cancellationToken);
        var full = Path.GetFullPath(settings.OutputPath);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var thinkTmp = full + ".think-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        var noThinkTmp = full + ".nothink-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        long think = 0, noThink = 0, missing = 0;
        var used = new SampleKeySet();
        try
        {
            await using (var stream = new FileStream(thinkTmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new JsonlWriter(stream, leaveOpen: true))
            {
                await foreach (var line in JsonlReader.ReadAsync<FilteredRecord>(settings.FilteredPath, cancellationToken: cancellationToken))
                {
                    var f = line.Value;
                    if (settings.ExcludeTasks.Contains(f.Task) || f.Chains.Count == 0 || !used.Add(f.SampleId))
                    {
                        continue;
                    }

                    var sample = Read(samples, f.SampleId);
                    if (sample is null)
                    {
                        missing++;
                        continue;
                    }

                    var chain = settings.ChainChoice == "random"
                        ? f.Chains[(int)(ReasoningFilter.Score(settings.Seed, "chain\u001f" + f.SampleId) % (ulong)f.Chains.Count)]
                        : f.Chains[0];
                    writer.Write(new ChatRecord(f.SampleId,
                    [
                        ChatMessage.System(settings.SystemPrompt),
                        ChatMessage.User(sample.Input + "\n" + sample.Instruction + "\n/think"),
                        ChatMessage.Assistant(ThinkAssistant(chain, f.Labels)),
                    ]));
                    think++;
                }

                writer.Flush();
            }

            // Seeded choice of non-reasoning samples: the K smallest scores among unused, non-excluded samples.
            var k = (long)Math.Round(think * settings.NoThinkRatio, MidpointRounding.AwayFromZero);
            var heap = new PriorityQueue<string, ulong>(Comparer<ulong>.Create((a, b) => b.CompareTo(a)));
            if (k > 0)
            {
                foreach (var id in samples.Keys)
                {
                    if (used.Contains(id) || excluded.Contains(id))
                    {
                        continue;
                    }

                    var s = ReasoningFilter.Score(settings.Seed, "nothink\u001f" + id);
                    if (heap.Count < k)
                    {
                        heap.Enqueue(id, s);
                    }
                    else if (heap.TryPeek(out _, out var worst) && s < worst)
                    {
                        heap.DequeueEnqueue(id, s);
                    }
                }
            }

            var chosen = heap.UnorderedItems.OrderBy(x => x.Priority).ThenBy(x => x.Element, StringComparer.Ordinal).Select(x => x.Element).ToList();
            await using (var stream = new FileStream(noThinkTmp, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
            using (var writer = new JsonlWriter(stream, leaveOpen: true))
            {
                foreach (var id in chosen)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var sample = Read(samples, id)!;
                    var suffix = settings.UpstreamNoThinkSuffix ? "/no_think" : "\n/no_think";
                    writer.Write(new ChatRecord(id,
                    [
                        ChatMessage.System(settings.SystemPrompt),
                        ChatMessage.User(sample.Input + "\n" + sample.Instruction + suffix),
                        ChatMessage.Assistant(NoThinkAssistant(sample.Labels)),
                    ]));
                    noThink++;
                }

                writer.Flush();
            }

            progress?.Report(new StageProgress("corpus", think + noThink, think + noThink, "records"));
            await AtomicFile.WriteAsync(full, (stream, ct) => InterleaveAsync(thinkTmp, think, noThinkTmp, noThink, stream, ct), cancellationToken);
        }
        finally
        {
            AtomicFile.TryDelete(thinkTmp);
            AtomicFile.TryDelete(noThinkTmp);
        }

        var counts = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["think_records"] = think,
            ["no_think_records"] = noThink,
            ["records"] = think + noThink,
            ["filtered_without_sample"] = missing,
        };
        new RunManifest
        {
            Stage = "corpus build",
            Settings = new Dictionary<string, string?>(StringComparer.Ordinal)
            {
                ["no_think_ratio"] = settings.NoThinkRatio.ToString(CultureInfo.InvariantCulture),
                ["seed"] = settings.Seed.ToString(CultureInfo.InvariantCulture),
                ["chain"] = settings.ChainChoice,
                ["upstream_no_think_suffix"] = settings.UpstreamNoThinkSuffix ? "true" : "false",
                ["system_prompt"] = settings.SystemPrompt,
            },
            Inputs = [FileFingerprint.Of(settings.FilteredPath), FileFingerprint.Of(settings.SamplesPath)],
            Counts = counts,
            ElapsedSeconds = clock.Elapsed.TotalSeconds,
        }.Save(Path.ChangeExtension(full, null) + ".manifest.json");
        return new StageReport("corpus build", clock.Elapsed.TotalSeconds, counts, [full]);
    }

    private static ReasoningSample? Read(JsonlKeyIndex index, string id)
    {
        using var doc = index.TryRead(id);
        return doc is null ? null : BenchSampleReader.Parse(index.Path, 0, doc.RootElement);
    }

    /// <summary>Even (Bresenham) interleaving of two files: after any prefix the mix is within one record of the ratio.</summary>
    private static async Task InterleaveAsync(string a, long countA, string b, long countB, Stream output, CancellationToken cancellationToken)
    {
        using var ra = new StreamReader(a);
        using var rb = new StreamReader(b);
        await using var w = new StreamWriter(output, TextEncodings.Utf8NoBom, 1 << 16, leaveOpen: true) { NewLine = "\n" };
        long takenA = 0, takenB = 0;
        var total = countA + countB;
        for (long i = 0; i < total; i++)
        {
            // Take from A when A is behind its share of the first i+1 records.
            var takeA = takenB >= countB || (takenA < countA && (takenA + 1) * total <= (i + 1) * countA + (total / 2));
            var line = takeA ? await ra.ReadLineAsync(cancellationToken) : await rb.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                throw new InvalidOperationException("corpus temp file shorter than counted");
            }

            await w.WriteLineAsync(line.AsMemory(), cancellationToken);
            if (takeA)
            {
                takenA++;
            }
            else
            {
                takenB++;
            }
        }

        await w.FlushAsync(cancellationToken);
    }

}
