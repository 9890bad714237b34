using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Training.Model;
using EhrR1.Graph.Training.Native;
using EhrR1.Graph.Training.Training;
using static TorchSharp.torch;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// <c>training [--steps N] [--threads N] [--leak-steps N]</c>: CPU training tokens/s of the same Qwen3 model, batch and
/// AdamW step in TorchSharp and in PyTorch (system python, run as a child process with the same threads); peak RSS;
/// and RSS growth over many steps of a very small model (leak check).
/// </summary>
internal sealed class TrainingBenchmark : IBenchmark
{
    private const int Batch = 4;
    private const int Sequence = 256;

    public string Name => "training";

    public string Description => "Qwen3 training tokens/s: TorchSharp vs PyTorch on CPU, peak memory, leak check";

    private static readonly Qwen3Config BenchConfig = new()
    {
        VocabSize = 8192, HiddenSize = 256, IntermediateSize = 768, NumHiddenLayers = 4, NumAttentionHeads = 8,
        NumKeyValueHeads = 4, HeadDimValue = 32, RopeTheta = 1_000_000, TieWordEmbeddings = true, MaxPositionEmbeddings = 1024,
    };

    private static readonly Qwen3Config LeakConfig = new()
    {
        VocabSize = 512, HiddenSize = 32, IntermediateSize = 64, NumHiddenLayers = 2, NumAttentionHeads = 4,
        NumKeyValueHeads = 2, HeadDimValue = 8, TieWordEmbeddings = false, MaxPositionEmbeddings = 256,
    };

    public async Task<int> RunAsync(string[] args, CancellationToken cancellationToken)
    {
        var steps = BenchmarkArgs.Get(args, "--steps", 10);
        var threads = BenchmarkArgs.Get(args, "--threads", Environment.ProcessorCount);
        var leakSteps = BenchmarkArgs.Get(args, "--leak-steps", 1000);
        TorchSharpNative.EnsureLoadable();
        set_num_threads(threads);

        var configPath = Path.Combine(Path.GetTempPath(), "ehrr1-bench-qwen3-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + ".json");
        BenchConfig.Save(configPath);
        try
        {
            var (tsTokens, tsStep) = TorchSharpThroughput(BenchConfig, steps, warmup: 2, cancellationToken);
            var peakMiB = Process.GetCurrentProcess().PeakWorkingSet64 / 1048576.0;
            var python = await PythonThroughputAsync(configPath, steps, threads, cancellationToken);
            var (rssStart, rssEnd, stepsDone) = LeakCheck(leakSteps, cancellationToken);

            var parameters = ParameterCount(BenchConfig);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"## training benchmark ({DateTime.UtcNow:yyyy-MM-dd}, {Environment.ProcessorCount} cores, {threads} threads)"));
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"model: Qwen3 {parameters / 1e6:F1}M params (hidden {BenchConfig.HiddenSize}, {BenchConfig.NumHiddenLayers} layers, vocab {BenchConfig.VocabSize}), batch {Batch} x {Sequence} tokens, AdamW + clip, fp32 CPU"));
            Console.WriteLine("| runtime | tokens/s | s/step | peak RSS MiB |");
            Console.WriteLine("| --- | ---: | ---: | ---: |");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| TorchSharp 0.107 (libtorch 2.10) | {tsTokens:F0} | {tsStep:F3} | {peakMiB:F0} |"));
            if (python is { } py)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"| PyTorch {py.Version} (system python) | {py.TokensPerSecond:F0} | {py.SecondsPerStep:F3} | {py.PeakRssMiB:F0} |"));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ratio TorchSharp / PyTorch: {tsTokens / py.TokensPerSecond:F2} (target >= 0.8)"));
            }
            else
            {
                Console.WriteLine("PyTorch side unavailable (needs /usr/bin/python3 with torch: apt-get install python3-torch)");
            }

            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"leak check: {stepsDone} steps of a {ParameterCount(LeakConfig) / 1e3:F0}K-param model, RSS after 100 steps {rssStart:F0} MiB, after {stepsDone} steps {rssEnd:F0} MiB (growth {rssEnd - rssStart:F1} MiB)"));
            return 0;
        }
        finally
        {
            File.Delete(configPath);
        }
    }

    private static (double TokensPerSecond, double SecondsPerStep) TorchSharpThroughput(Qwen3Config config, int steps, int warmup, CancellationToken ct)
    {
        manual_seed(0);
        using var model = new Qwen3ForCausalLM(config);
        model.InitializeWeights();
        model.train();
        var trainable = model.TrainableParameters();
        using var optimizer = new AdamW(trainable, 0.9, 0.999, 1e-8, 0);
        using var ids = randint(0, config.VocabSize, [Batch, Sequence], dtype: ScalarType.Int64);
        using var inputs = ids.narrow(1, 0, Sequence - 1);
        using var targets = ids.narrow(1, 1, Sequence - 1).reshape(-1);
        var clock = new Stopwatch();
        for (var i = 0; i < warmup + steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            if (i == warmup)
            {
                clock.Start();
            }

            using var scope = NewDisposeScope();
            optimizer.ZeroGrad();
            var logits = model.Forward(inputs);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, config.VocabSize), targets);
            loss.backward();
            nn.utils.clip_grad_norm_(trainable.Select(p => p.Parameter), 1.0);
            optimizer.Update(1e-4);
        }

        var seconds = clock.Elapsed.TotalSeconds;
        return ((double)Batch * (Sequence - 1) * steps / seconds, seconds / steps);
    }

    private static (double Start, double End, int Steps) LeakCheck(int steps, CancellationToken ct)
    {
        manual_seed(0);
        using var model = new Qwen3ForCausalLM(LeakConfig);
        model.InitializeWeights();
        var trainable = model.TrainableParameters();
        using var optimizer = new AdamW(trainable, 0.9, 0.999, 1e-8, 0);
        using var ids = randint(0, LeakConfig.VocabSize, [2, 64], dtype: ScalarType.Int64);
        double start = 0;
        var done = 0;
        for (var i = 0; i < steps; i++)
        {
            ct.ThrowIfCancellationRequested();
            using (var scope = NewDisposeScope())
            {
                optimizer.ZeroGrad();
                var logits = model.Forward(ids.narrow(1, 0, 63));
                var loss = nn.functional.cross_entropy(logits.reshape(-1, LeakConfig.VocabSize), ids.narrow(1, 1, 63).reshape(-1));
                loss.backward();
                nn.utils.clip_grad_norm_(trainable.Select(p => p.Parameter), 1.0);
                optimizer.Update(1e-3);
            }

            done++;
            if (i == 99)
            {
                GC.Collect();
                start = Process.GetCurrentProcess().WorkingSet64 / 1048576.0;
            }
        }

        GC.Collect();
        return (start, Process.GetCurrentProcess().WorkingSet64 / 1048576.0, done);
    }

    private sealed record PythonResult(double TokensPerSecond, double SecondsPerStep, double PeakRssMiB, string Version);

    private static async Task<PythonResult?> PythonThroughputAsync(string configPath, int steps, int threads, CancellationToken ct)
    {
        const string Python = "/usr/bin/python3";
        var script = Path.Combine(AppContext.BaseDirectory, "python", "qwen3_train_bench.py");
        if (!File.Exists(Python) || !File.Exists(script))
        {
            return null;
        }

        var psi = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { script, configPath, Batch.ToString(CultureInfo.InvariantCulture), Sequence.ToString(CultureInfo.InvariantCulture), steps.ToString(CultureInfo.InvariantCulture), "2", threads.ToString(CultureInfo.InvariantCulture) })
        {
            psi.ArgumentList.Add(a);
        }

        using var process = Process.Start(psi)!;
        var stdout = await process.StandardOutput.ReadToEndAsync(ct);
        var stderr = await process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0)
        {
            await Console.Error.WriteLineAsync("python benchmark failed: " + stderr.Split('\n').LastOrDefault(l => l.Length > 0));
            return null;
        }

        using var doc = JsonDocument.Parse(stdout.Trim().Split('\n')[^1]);
        var r = doc.RootElement;
        return new PythonResult(r.GetProperty("tokens_per_second").GetDouble(), r.GetProperty("seconds_per_step").GetDouble(), r.GetProperty("peak_rss_mib").GetDouble(), r.GetProperty("torch").GetString() ?? "?");
    }

    private static long ParameterCount(Qwen3Config c)
    {
        long layer = (long)c.HiddenSize * c.NumAttentionHeads * c.HeadDim * 2 + (long)c.HiddenSize * c.NumKeyValueHeads * c.HeadDim * 2
            + 3L * c.HiddenSize * c.IntermediateSize + 2L * c.HiddenSize + 2L * c.HeadDim;
        return (c.NumHiddenLayers * layer) + ((long)c.VocabSize * c.HiddenSize * (c.TieWordEmbeddings ? 1 : 2)) + c.HiddenSize;
    }
}
