using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Reasoning.Endpoints;
using EhrR1.Graph.TestSupport.Http;
using EhrR1.Graph.Reasoning.Synthesis;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>reasoning [throughput|limits|memory|all] [--samples N] [--client http|sdk|both]</c>: the synthesis engine
/// against a loopback fake endpoint. throughput: fixed latency L and concurrency C, sustained rate vs C/L. limits:
/// configured RPM and TPM over more than one 60 s window (max per sliding window). Both for the HTTP and the SDK
/// client (default both). memory: the full `reason` stage over N (default 300k) generated samples, RSS at
/// start/middle/end. Each line gives the process CPU time (client and fake server share the process) and the load
/// average, since figures taken on a loaded machine are pessimistic.
/// </summary>
internal sealed class ReasoningBenchmark : IBenchmark
{
    private static readonly string[] Candidates = ["Creatinine", "Potassium"];
    private static readonly string[] Label = ["Creatinine"];

    public string Name => "reasoning";

    public string Description => "LLM engine: throughput vs C/L, RPM/TPM adherence, memory over 300k samples (loopback fake)";

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var what = args.Length > 0 && !args[0].StartsWith("--", StringComparison.Ordinal) ? args[0] : "all";
        var samples = 300_000;
        var i = Array.IndexOf(args, "--samples");
        if (i >= 0)
        {
            samples = int.Parse(args[i + 1], CultureInfo.InvariantCulture);
        }

        var c = Array.IndexOf(args, "--client");
        var clientText = c >= 0 ? args[c + 1] : "both";
        ChatClientKind[] clients = clientText == "both" ? [ChatClientKind.Http, ChatClientKind.Sdk] : [ChatEndpointOptions.ParseClient(clientText)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"# reasoning benchmark ({Environment.ProcessorCount} cores, {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, load average {MachineLoad.LoadAverage()})"));
        if (what is "throughput" or "all")
        {
            foreach (var kind in clients)
            {
                await ThroughputAsync(kind, TimeSpan.FromMilliseconds(200), 32, 2400, cancellationToken);
                await ThroughputAsync(kind, TimeSpan.FromMilliseconds(50), 16, 4000, cancellationToken);
            }
        }

        if (what is "limits" or "all")
        {
            foreach (var kind in clients)
            {
                await LimitsAsync(kind, rpm: 1200, tpm: 0, TimeSpan.FromSeconds(75), cancellationToken);
                await LimitsAsync(kind, rpm: 0, tpm: 300_000, TimeSpan.FromSeconds(75), cancellationToken);
            }
        }

        if (what is "memory" or "all")
        {
            await MemoryAsync(samples, cancellationToken);
        }

        return 0;
    }

    private static ChatRequest SmallRequest(int i, int maxTokens = 20) => new()
    {
        Messages = [ChatMessage.User("sample " + i.ToString(CultureInfo.InvariantCulture) + new string('x', 380))],
        MaxTokens = maxTokens,
        Temperature = 0.5,
    };

    private static string ClientName(ChatClientKind kind) => kind == ChatClientKind.Sdk ? "sdk" : "http";

    private static TimeSpan CpuTime()
    {
        using var self = Process.GetCurrentProcess();
        return self.TotalProcessorTime;
    }

    private static async Task ThroughputAsync(ChatClientKind kind, TimeSpan latency, int concurrency, int requests, CancellationToken cancellationToken)
    {
        await using var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, (_, _) => "ok", latency), recordStartTimes: false);
        using var client = new ChatEndpointClient(new ChatEndpointOptions { Endpoint = server.OpenAiEndpoint, ApiKey = "k", MaxConcurrency = concurrency, Client = kind });
        // Warm up connections (and JIT) with two rounds.
        for (var round = 0; round < 2; round++)
        {
            await Task.WhenAll(Enumerable.Range(0, concurrency).Select(k => client.CompleteAsync(SmallRequest(k), cancellationToken)));
        }

        var cpu = CpuTime();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, requests).Select(k => client.CompleteAsync(SmallRequest(k), cancellationToken)));
        var wall = clock.Elapsed;
        var cpuUsed = CpuTime() - cpu;
        var rate = requests / wall.TotalSeconds;
        var ideal = concurrency / latency.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- throughput [{ClientName(kind)}] L={latency.TotalMilliseconds:0} ms C={concurrency}: {requests} requests in {wall.TotalSeconds:0.00} s = {rate:0.0} req/s; C/L = {ideal:0.0}; ratio {rate / ideal:0.000} (target >= 0.9); peak server concurrency {server.PeakConcurrency}; process CPU {cpuUsed.TotalSeconds:0.00} s ({cpuUsed.TotalMilliseconds / requests:0.000} ms/request, client + fake server); load average {MachineLoad.LoadAverage()}"));
    }

    private static async Task LimitsAsync(ChatClientKind kind, int rpm, long tpm, TimeSpan duration, CancellationToken cancellationToken)
    {
        var tokensByArrival = new System.Collections.Concurrent.ConcurrentQueue<(long At, long Tokens)>();
        await using var server = new LoopbackChatServer((r, _) =>
        {
            var response = LoopbackChatServer.Completion(r, (_, _) => "ok", TimeSpan.FromMilliseconds(30));
            using var doc = JsonDocument.Parse(response.Body);
            var usage = doc.RootElement.GetProperty("usage");
            tokensByArrival.Enqueue((Stopwatch.GetTimestamp(), usage.GetProperty("prompt_tokens").GetInt64() + usage.GetProperty("completion_tokens").GetInt64()));
            return response;
        });
        // Open the 64 connections first (with an unlimited client on the same HttpClient) so that connection set-up
        // under load does not delay the first window's arrivals at the server.
        using var http = ChatEndpointClient.CreateHttpClient(64);
        using (var warm = new ChatEndpointClient(new ChatEndpointOptions { Endpoint = server.OpenAiEndpoint, ApiKey = "k", MaxConcurrency = 64, Client = kind }, http))
        {
            await Task.WhenAll(Enumerable.Range(0, 64).Select(k => warm.CompleteAsync(SmallRequest(k), cancellationToken)));
        }

        while (tokensByArrival.TryDequeue(out _))
        {
        }

        using var client = new ChatEndpointClient(new ChatEndpointOptions { Endpoint = server.OpenAiEndpoint, ApiKey = "k", MaxConcurrency = 64, RequestsPerMinute = rpm, TokensPerMinute = tpm, Client = kind }, http);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        stop.CancelAfter(duration);
        var started = 0;
        var workers = Enumerable.Range(0, 64).Select(async w =>
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var k = Interlocked.Increment(ref started);
                    await client.CompleteAsync(SmallRequest(k, maxTokens: 200), stop.Token);
                }
            }
            catch (OperationCanceledException)
            {
            }
        }).ToList();
        await Task.WhenAll(workers);
        var events = tokensByArrival.OrderBy(e => e.At).ToList();
        var window = Stopwatch.Frequency * 60;
        int maxRequests = 0, lo = 0;
        long maxTokens = 0, sum = 0;
        for (var hi = 0; hi < events.Count; hi++)
        {
            sum += events[hi].Tokens;
            while (events[hi].At - events[lo].At >= window)
            {
                sum -= events[lo].Tokens;
                lo++;
            }

            maxRequests = Math.Max(maxRequests, hi - lo + 1);
            maxTokens = Math.Max(maxTokens, sum);
        }

        var stats = client.Statistics;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"- limits [{ClientName(kind)}] rpm={rpm} tpm={tpm} over {duration.TotalSeconds:0} s, 64 workers: {events.Count} requests; max requests in any 60 s window {maxRequests}; max actual tokens in any 60 s window {maxTokens} (reserved per request in flight {ChatEndpointClient.ReserveTokens(SmallRequest(1, 200))}, actual ~{(events.Count > 0 ? events.Average(e => e.Tokens) : 0):0}); 429s {stats.Throttled}; load average {MachineLoad.LoadAverage()}"));
    }

    private static async Task MemoryAsync(int count, CancellationToken cancellationToken)
    {
        var dir = Path.Combine(Path.GetTempPath(), "ehrr1-reasoning-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(dir);
        try
        {
            var samples = Path.Combine(dir, "samples.jsonl");
            await using (var w = new StreamWriter(samples))
            {
                for (var k = 0; k < count; k++)
                {
                    await w.WriteLineAsync(JsonSerializer.Serialize(new
                    {
                        idx = k,
                        sample_id = "labevents:" + k.ToString(CultureInfo.InvariantCulture) + ":3",
                        instruction = "Which laboratory tests will be ordered next?",
                        input = "## Lab Results [2150-01-01 08:00]\nCreatinine: " + (k % 7).ToString(CultureInfo.InvariantCulture) + ".1 mg/dL\nPotassium: 4.2",
                        output = "Creatinine",
                        candidates = Candidates,
                        task_info = new { task = "labevents", task_type = "decision_making", label = Label },
                    }));
                }
            }

            await using var server = new LoopbackChatServer((r, _) => LoopbackChatServer.Completion(r, (_, _) => "## Extraction\n**Lab [t]**: x\n## Reasoning\ny\n## Final Results\nCreatinine"), recordStartTimes: false);
            var settings = new ReasoningSettings
            {
                SamplesPath = samples,
                OutputDirectory = Path.Combine(dir, "out"),
                Prompt = "without-graph",
                N = 1,
                Endpoint = new ChatEndpointOptions { Endpoint = server.OpenAiEndpoint, ApiKey = "k", MaxConcurrency = 32 },
            };
            var rss = new List<(long Done, long Bytes, long Heap)>();
            using var self = Process.GetCurrentProcess();
            long Rss()
            {
                self.Refresh();
                return self.WorkingSet64;
            }

            rss.Add((0, Rss(), GC.GetGCMemoryInfo().HeapSizeBytes));
            var next = count / 10;
            var progress = new SyncProgress(p =>
            {
                if (p.Done >= next)
                {
                    lock (rss)
                    {
                        if (p.Done >= next)
                        {
                            rss.Add((p.Done, Rss(), GC.GetGCMemoryInfo().HeapSizeBytes));
                            next += count / 10;
                        }
                    }
                }
            });
            var clock = Stopwatch.StartNew();
            var summary = await new ReasoningStage(NullLogger.Instance).RunAsync(settings, progress, cancellationToken);
            rss.Add((count, Rss(), GC.GetGCMemoryInfo().HeapSizeBytes));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"- memory: {count:N0} samples through `reason` (C=32, n=1, zero latency) in {clock.Elapsed.TotalSeconds:0.0} s ({count / clock.Elapsed.TotalSeconds:0} samples/s); completed {summary.Counts["completed"]:N0}, failed {summary.Counts["failed"]}"));
            Console.WriteLine("  - RSS (MiB) by samples done: " + string.Join(", ", rss.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Done:N0}: {x.Bytes / 1048576.0:0}"))));
            Console.WriteLine("  - managed heap after the last GC (MiB): " + string.Join(", ", rss.Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Done:N0}: {x.Heap / 1048576.0:0}"))) + string.Create(CultureInfo.InvariantCulture, $"; load average {MachineLoad.LoadAverage()}"));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private sealed class SyncProgress(Action<StageProgress> report) : IProgress<StageProgress>
    {
        public void Report(StageProgress value) => report(value);
    }
}
