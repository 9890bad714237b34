using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EhrR1.Graph.Training.Data;
using EhrR1.Graph.Training.Tokenization;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>token-cache [--records N] [--max-length N]</c>: memory of preparing a training corpus of N synthetic EHR-Ins
/// records (default 100k): the on-disk token cache the trainer uses (tokenize once, memory-mapped reads) against
/// holding every encoded example in the heap, as the trainer did before. Peak anonymous RSS (the mapped file's
/// pages are reclaimable page cache and not counted) is sampled every 50 ms per phase;
/// the cache phase runs first, so the in-memory phase cannot lower its figure.
/// </summary>
internal sealed class TokenCacheBenchmark : IBenchmark
{
    public string Name => "token-cache";

    public string Description => "Training corpus preparation: RSS of the on-disk token cache vs examples held in memory";

    public Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var records = BenchmarkArgs.Get(args, "--records", 100_000);
        var maxLength = BenchmarkArgs.Get(args, "--max-length", 4096);
        var tokenizerDir = TokenizerLocations.FindQwen3() ?? throw new InvalidOperationException("Qwen3 tokenizer not found: set EHRR1_DATA or " + TokenizerLocations.TokenizerVariable + ".");
        var dir = Path.Combine(Path.GetTempPath(), "ehrr1-token-cache-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            var data = Path.Combine(dir, "train.jsonl");
            WriteCorpus(data, records);
            var encoder = new SftEncoder(Qwen3Tokenizer.Load(tokenizerDir), maxLength, TruncationMode.HeadAndTail, 256);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"# token-cache benchmark ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {MachineLoad.LoadAverage()}): {records:N0} records, {new FileInfo(data).Length / 1048576.0:0} MiB of JSONL"));
            var baseline = Rss();

            var (cachePeak, cacheTime, tokens, cacheBytes) = Measure(() =>
            {
                using var corpus = TokenizedCorpus.Open(data, encoder, tokenizerDir, Path.Combine(dir, "cache"), NullLogger.Instance, cancellationToken);
                var batches = LengthBucketBatcher.EpochBatches(corpus.Lengths, 8, 1, 0);
                long read = 0;
                foreach (var batch in batches)
                {
                    foreach (var i in batch)
                    {
                        read += corpus.Tokens(i).Length;
                    }
                }

                return (read, new FileInfo(corpus.Path).Length);
            });
            Report("on-disk token cache (tokenize + one epoch of batch reads)", baseline, cachePeak, cacheTime, tokens, cacheBytes);

            // Reopening (a resumed run): cache key (SHA-256 of the corpus) plus the header and body checksums.
            var reopen = Stopwatch.StartNew();
            using (var again = TokenizedCorpus.Open(data, encoder, tokenizerDir, Path.Combine(dir, "cache"), NullLogger.Instance, cancellationToken))
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"- reopen the cache (reused: {again.Reused}): {reopen.Elapsed.TotalSeconds:0.00} s for {new FileInfo(again.Path).Length / 1048576.0:0} MiB of cache and {new FileInfo(data).Length / 1048576.0:0} MiB of corpus"));
            }

            var (memoryPeak, memoryTime, memoryTokens, _) = Measure(() =>
            {
                var examples = EhrInsCorpus.Encode(data, encoder, cancellationToken).Where(e => e is not null).ToList();
                var held = examples.Sum(e => (long)e!.Length);
                GC.KeepAlive(examples);
                return (held, 0L);
            });
            Report("examples held in memory (previous trainer)", baseline, memoryPeak, memoryTime, memoryTokens, 0);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }

        return Task.FromResult(0);
    }

    private static void Report(string what, long baseline, long peak, TimeSpan time, long tokens, long fileBytes) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- {what}: {tokens:N0} tokens in {time.TotalSeconds:0.0} s; anonymous RSS before {baseline / 1048576.0:0} MiB, peak {peak / 1048576.0:0} MiB (+{(peak - baseline) / 1048576.0:0}){(fileBytes > 0 ? string.Create(CultureInfo.InvariantCulture, $"; cache file {fileBytes / 1048576.0:0} MiB") : string.Empty)}; load average {MachineLoad.LoadAverage()}"));

    private static (long Peak, TimeSpan Time, long Tokens, long FileBytes) Measure(Func<(long Tokens, long FileBytes)> phase)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long peak = Rss();
        using var stop = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), Rss()));
                await Task.Delay(50, CancellationToken.None);
            }
        });
        var clock = Stopwatch.StartNew();
        var (tokens, bytes) = phase();
        var time = clock.Elapsed;
        Interlocked.Exchange(ref peak, Math.Max(Interlocked.Read(ref peak), Rss()));
        stop.Cancel();
        sampler.Wait();
        return (Interlocked.Read(ref peak), time, tokens, bytes);
    }

    /// <summary>
    /// Anonymous resident memory (heap, native allocations): <c>RssAnon</c> of /proc/self/status. Pages of the mapped
    /// cache file are file-backed page cache (<c>RssFile</c>) that the kernel drops under pressure, so they are not
    /// counted; elsewhere the whole working set.
    /// </summary>
    private static long Rss()
    {
        const string Status = "/proc/self/status";
        if (File.Exists(Status))
        {
            foreach (var line in File.ReadLines(Status))
            {
                if (line.StartsWith("RssAnon:", StringComparison.Ordinal))
                {
                    return long.Parse(line["RssAnon:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
                }
            }
        }

        using var self = Process.GetCurrentProcess();
        return self.WorkingSet64;
    }

    private static void WriteCorpus(string path, int count)
    {
        var rng = new Random(17);
        string[] labs = ["Potassium", "Sodium", "Creatinine", "Glucose", "Hemoglobin", "Platelet Count", "Lactate", "Bicarbonate"];
        using var w = new StreamWriter(path, false, new UTF8Encoding(false), 1 << 16);
        var ehr = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            ehr.Clear().Append("## Patient Demographics\nGender: F, Age: ").Append(rng.Next(20, 90).ToString(CultureInfo.InvariantCulture)).Append("\n## Laboratory Test Events\n| item_name | value | unit |\n| --- | --- | --- |\n");
            var rows = 20 + rng.Next(80);
            for (var r = 0; r < rows; r++)
            {
                ehr.Append("| ").Append(labs[rng.Next(labs.Length)]).Append(" | ").Append(Math.Round(rng.NextDouble() * 100, 1).ToString(CultureInfo.InvariantCulture)).Append(" | mg/dL |\n");
            }

            w.WriteLine(JsonSerializer.Serialize(new
            {
                sample_id = "lab:" + i.ToString(CultureInfo.InvariantCulture) + ":0",
                messages = new[]
                {
                    new { role = "user", content = ehr + "\nWhich laboratory tests will be ordered next?" },
                    new { role = "assistant", content = "<think>\nThe record shows repeated potassium checks.\n</think>\n\nPotassium, Creatinine" },
                },
            }));
        }
    }
}
