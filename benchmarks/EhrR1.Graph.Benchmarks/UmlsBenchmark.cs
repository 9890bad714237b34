using System.Diagnostics;
using System.Globalization;
using System.Text;
using EhrR1.Graph.Core;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Umls.Indexing;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Sample;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>umls [--data DIR] [--work DIR] [--tokens N]</c>: builds the open sample vocabulary and its index (names/s,
/// peak memory, extrapolated to 17M names), renders EHR-like text from the MIMIC-IV demo (lab lines with values and
/// comments, prescriptions, diagnosis titles) and measures matching throughput on one and two threads, with and
/// without the per-string result cache.
/// </summary>
internal sealed class UmlsBenchmark : IBenchmark
{
    public string Name => "umls";

    public string Description => "UMLS matcher: index build rate and memory, matching tokens/s on 1 and 2 cores";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var data = BenchmarkArgs.Get(args, "--data") ?? DataLocations.FindDataRoot();
        if (data is null)
        {
            Console.Error.WriteLine("shared data not found: pass --data DIR or set EHRR1_DATA");
            return 1;
        }

        var targetTokens = int.Parse(BenchmarkArgs.Get(args, "--tokens") ?? "300000", CultureInfo.InvariantCulture);
        var work = BenchmarkArgs.Get(args, "--work") ?? Path.Combine(Path.GetTempPath(), "ehrr1-umls-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(work);
        var vocab = Path.Combine(work, "vocab");
        var indexDir = Path.Combine(work, "index");
        try
        {
            var clock = Stopwatch.StartNew();
            if (BenchmarkArgs.Get(args, "--index") is { } existing)
            {
                // Matching only, on an index built before (e.g. by 'ehr-graph umls build-index').
                indexDir = existing;
                var onlyDocs = await RenderDocumentsAsync(Path.Combine(data, "mimic-iv-demo-2.2", "hosp"), targetTokens, cancellationToken);
                await MeasureMatchingAsync(indexDir, onlyDocs, cancellationToken);
                return 0;
            }

            var sample = await new OpenVocabularyBuilder().BuildAsync(
                new SampleVocabularySettings { DataDirectory = data, OutputDirectory = vocab, Force = true }, new Progress<StageProgress>(), cancellationToken);
            var sampleSeconds = clock.Elapsed.TotalSeconds;

            GC.Collect();
            var peakBefore = Process.GetCurrentProcess().PeakWorkingSet64;
            clock.Restart();
            var built = await new UmlsIndexBuilder(NullLogger.Instance).BuildAsync(
                new IndexBuildSettings { RrfDirectory = vocab, OutputDirectory = indexDir, Force = true }, new Progress<StageProgress>(), cancellationToken);
            var buildSeconds = clock.Elapsed.TotalSeconds;
            var names = built.Counts["mrconso_rows"];
            var rate = names / buildSeconds;
            var peak = Process.GetCurrentProcess().PeakWorkingSet64;

            var docs = await RenderDocumentsAsync(Path.Combine(data, "mimic-iv-demo-2.2", "hosp"), targetTokens, cancellationToken);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"UMLS benchmark, {DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, load average {MachineLoad.LoadAverage()}"));
            Console.WriteLine();
            Console.WriteLine("| measure | value | | |");
            Console.WriteLine("|---|---|---|---|");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| build-sample | {sampleSeconds:F1} s | {sample.Counts["mrconso_rows"]:N0} names, {sample.Counts["concepts"]:N0} concepts | |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| build-index | {rate:N0} names/s | {buildSeconds:F1} s for {names:N0} names | peak working set {peak / 1048576.0:N0} MiB (before: {peakBefore / 1048576.0:N0} MiB) |"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| build-index, extrapolated to 17M names | {17_000_000 / rate / 3600:F1} h | | |"));
            await MeasureMatchingAsync(indexDir, docs, cancellationToken);
            return 0;
        }
        finally
        {
            if (BenchmarkArgs.Get(args, "--work") is null)
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    private static async Task MeasureMatchingAsync(string indexDir, List<string> docs, CancellationToken cancellationToken)
    {
        var tokens = docs.Sum(CountTokens);
        using var index = UmlsIndex.Open(indexDir);
        var results = new List<string>();

        // First contact: a freshly opened index (posting lists read from disk on first use), an empty result cache.
        results.Add(await MeasureAsync(index, docs, tokens, "default settings, freshly opened index", new MatcherSettings(), 1, warmUp: false, cancellationToken));
        ProfilePhases(index, docs, tokens);
        foreach (var (label, cache) in new[] { ("result cache on (default)", 200_000), ("result cache off", 0) })
        {
            foreach (var threads in new[] { 1, 2 })
            {
                results.Add(await MeasureAsync(index, docs, tokens, label, new MatcherSettings { CacheEntries = cache }, threads, warmUp: true, cancellationToken));
            }
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| text | {docs.Count:N0} documents | {tokens:N0} tokens | load average {MachineLoad.LoadAverage()} |"));
        Console.WriteLine("| run | wall tokens/s | tokens per CPU-second (process; thread for 1 thread) | spans, ms per 1,000-token document |");
        foreach (var r in results)
        {
            Console.WriteLine(r);
        }
    }

    /// <summary>
    /// Matches every document with a fresh matcher. One thread runs on the calling thread, so its own CPU time is
    /// measured as well (the single-core figure, reliable on a loaded machine); two threads share the documents.
    /// </summary>
    private static async Task<string> MeasureAsync(UmlsIndex index, List<string> docs, int tokens, string label, MatcherSettings settings, int threads, bool warmUp, CancellationToken cancellationToken)
    {
        var matcher = new UmlsMatcher(index, settings);
        if (warmUp)
        {
            matcher.Match(docs[0], cancellationToken); // JIT and posting lists
        }

        var spans = 0L;
        var cpuBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var clock = Stopwatch.StartNew();
        var threadCpu = ThreadCpuClock.Now;
        if (threads == 1)
        {
            foreach (var d in docs)
            {
                spans += matcher.Match(d, cancellationToken).Count;
            }

            threadCpu = ThreadCpuClock.Now - threadCpu;
        }
        else
        {
            await Parallel.ForEachAsync(docs, new ParallelOptions { MaxDegreeOfParallelism = threads, CancellationToken = cancellationToken }, (d, ct) =>
            {
                Interlocked.Add(ref spans, matcher.Match(d, ct).Count);
                return ValueTask.CompletedTask;
            });
        }

        var seconds = clock.Elapsed.TotalSeconds;
        var cpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuBefore).TotalSeconds;
        var perDoc = seconds * 1000 / docs.Count * (1000.0 / (tokens / (double)docs.Count));
        var cpu = threads == 1 && threadCpu > TimeSpan.Zero
            ? string.Create(CultureInfo.InvariantCulture, $"{tokens / cpuSeconds:N0} (thread: {tokens / threadCpu.TotalSeconds:N0})")
            : string.Create(CultureInfo.InvariantCulture, $"{tokens / cpuSeconds:N0}");
        return string.Create(CultureInfo.InvariantCulture,
            $"| match, {label}, {threads} thread{(threads > 1 ? "s" : string.Empty)} | {tokens / seconds:N0} | {cpu} | {spans:N0} spans, {perDoc:F1} ms |");
    }

    /// <summary>
    /// One thread, no result cache: the time of each matching phase on its own, run over the whole text (each row
    /// repeats the earlier phases' work outside its stopwatch).
    /// </summary>
    private static void ProfilePhases(UmlsIndex index, List<string> docs, int tokens)
    {
        var matcher = new UmlsMatcher(index, new MatcherSettings { CacheEntries = 0 });
        matcher.Match(docs[0]); // JIT and posting lists
        var tokenList = new List<Token>();
        var spans = new List<CandidateSpan>();
        var norm = index.Metadata.Normalization;
        var phases = new (string Name, TimeSpan Time)[6];
        long spanCount = 0, hits = 0;
        var clock = new CpuStopwatch();
        foreach (var d in docs)
        {
            clock.Restart();
            ClinicalTokenizer.Tokenize(d, tokenList);
            phases[0].Time += clock.Elapsed;
            clock.Restart();
            SpanGenerator.Generate(d, tokenList, matcher.Settings.Window, matcher.Settings.MinMatchLength, spans);
            phases[1].Time += clock.Elapsed;
            spanCount += spans.Count;
            var normalized = new string[spans.Count];
            clock.Restart();
            for (var k = 0; k < spans.Count; k++)
            {
                normalized[k] = index.Normalizer.Normalize(spans[k].Text);
            }

            phases[2].Time += clock.Elapsed;
            clock.Restart();
            foreach (var n in normalized)
            {
                _ = EhrR1.Graph.Umls.Text.NgramFeatures.Extract(n, norm.NgramLength, norm.BeginEndMarks);
            }

            phases[3].Time += clock.Elapsed;
            clock.Restart();
            foreach (var n in normalized)
            {
                hits += index.Search(n, matcher.Settings.Similarity, matcher.Settings.Threshold).Count;
            }

            phases[4].Time += clock.Elapsed;
            clock.Restart();
            matcher.Match(d);
            phases[5].Time += clock.Elapsed;
        }

        phases[0].Name = "tokenise";
        phases[1].Name = "span generation (incl. span strings)";
        phases[2].Name = "normalise span text";
        phases[3].Name = "trigram extraction";
        phases[4].Name = "retrieval (trigrams + postings + CPMerge + exact scores)";
        phases[5].Name = "whole Match (all phases + stored fields, type filter, ranking, best match)";
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| phase (1 thread, no result cache; {spanCount:N0} spans, {hits:N0} retrieved strings) | thread CPU ms | tokens per thread-CPU-second if alone | |"));
        foreach (var (name, time) in phases)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {time.TotalMilliseconds:N0} | {tokens / time.TotalSeconds:N0} | |"));
        }
    }

    /// <summary>Elapsed CPU time of the current thread since <see cref="Restart"/>.</summary>
    private sealed class CpuStopwatch
    {
        private TimeSpan _start = ThreadCpuClock.Now;

        public TimeSpan Elapsed => ThreadCpuClock.Now - _start;

        public void Restart() => _start = ThreadCpuClock.Now;
    }

    private static int CountTokens(string text)
    {
        var tokens = new List<Token>();
        ClinicalTokenizer.Tokenize(text, tokens);
        return tokens.Count(t => !t.Is(TokenFlags.LineBreak));
    }

    /// <summary>EHR-like documents of about 1,000 tokens built from demo rows (no patient identifiers).</summary>
    private static async Task<List<string>> RenderDocumentsAsync(string hosp, int targetTokens, CancellationToken cancellationToken)
    {
        var labLabels = new Dictionary<string, string>(StringComparer.Ordinal);
        await foreach (var r in new CsvRecordReader(Path.Combine(hosp, "d_labitems.csv.gz")).ReadAsync(cancellationToken))
        {
            labLabels[r["itemid"]] = r["label"];
        }

        var titles = new Dictionary<(string, string), string>();
        await foreach (var r in new CsvRecordReader(Path.Combine(hosp, "d_icd_diagnoses.csv.gz")).ReadAsync(cancellationToken))
        {
            titles[(r["icd_code"], r["icd_version"])] = r["long_title"];
        }

        var lines = new List<string>();
        var labs = new CsvRecordReader(Path.Combine(hosp, "labevents.csv.gz")).ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var rx = new CsvRecordReader(Path.Combine(hosp, "prescriptions.csv.gz")).ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var dx = new CsvRecordReader(Path.Combine(hosp, "diagnoses_icd.csv.gz")).ReadAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        var docs = new List<string>();
        var doc = new StringBuilder();
        var docTokens = 0;
        var total = 0;
        while (total < targetTokens)
        {
            var any = false;
            for (var k = 0; k < 6 && await labs.MoveNextAsync(); k++)
            {
                var r = labs.Current;
                var flag = r["flag"].Length > 0 ? " (" + r["flag"] + ")" : string.Empty;
                var comment = r["comments"].Length > 0 ? " Comment: " + r["comments"].Replace('\n', ' ') : string.Empty;
                lines.Add($"{labLabels.GetValueOrDefault(r["itemid"], "lab")}: {r["value"]} {r["valueuom"]}{flag}.{comment}");
                any = true;
            }

            for (var k = 0; k < 2 && await rx.MoveNextAsync(); k++)
            {
                var r = rx.Current;
                lines.Add($"Started {r["drug"]} {r["dose_val_rx"]} {r["dose_unit_rx"]} {r["route"]}.");
                any = true;
            }

            if (await dx.MoveNextAsync())
            {
                var r = dx.Current;
                lines.Add("Diagnosis: " + titles.GetValueOrDefault((r["icd_code"], r["icd_version"]), "unknown") + ".");
                any = true;
            }

            if (!any)
            {
                break;
            }

            foreach (var line in lines)
            {
                var n = CountTokens(line);
                doc.Append(line).Append('\n');
                docTokens += n;
                total += n;
                if (docTokens >= 1000)
                {
                    docs.Add(doc.ToString());
                    doc.Clear();
                    docTokens = 0;
                }
            }

            lines.Clear();
        }

        if (doc.Length > 0)
        {
            docs.Add(doc.ToString());
        }

        await labs.DisposeAsync();
        await rx.DisposeAsync();
        await dx.DisposeAsync();
        return docs;
    }
}
