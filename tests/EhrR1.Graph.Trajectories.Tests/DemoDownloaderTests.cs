using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Download;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Trajectories.Tests;

public sealed class DemoDownloaderTests
{
    private static readonly Dictionary<string, byte[]> Files = new(StringComparer.Ordinal)
    {
        ["hosp/patients.csv.gz"] = Encoding.UTF8.GetBytes("not really gzip, only bytes to hash 1"),
        ["icu/icustays.csv.gz"] = Encoding.UTF8.GetBytes(new string('x', 100_000)),
        ["LICENSE.txt"] = Encoding.UTF8.GetBytes("licence text"),
    };

    private static string Sums(Func<string, byte[], string>? hash = null) =>
        string.Concat(Files.Select(f => (hash?.Invoke(f.Key, f.Value) ?? Convert.ToHexStringLower(SHA256.HashData(f.Value))) + "  " + f.Key + "\n"));

    [Fact]
    public async Task Should_DownloadAndVerifyEveryFile_When_ServerServesRelease()
    {
        using var server = new LoopbackServer(Sums(), Files);
        using var dir = new TempDirectory();
        using var http = new HttpClient();
        var dl = new DemoDownloader(http, NullLogger.Instance);
        var result = await dl.RunAsync(server.BaseUri, dir.Combine("demo"), force: false, null, CancellationToken.None);
        result.Counts["verified"].Should().Be(3);
        File.ReadAllBytes(dir.Combine("demo", "icu", "icustays.csv.gz")).Should().Equal(Files["icu/icustays.csv.gz"]);
        (await DemoDownloader.VerifyFolderAsync(dir.Combine("demo"), CancellationToken.None)).Should().BeEmpty();
        Directory.Exists(dir.Combine("demo.partial")).Should().BeFalse();

        var again = await dl.RunAsync(server.BaseUri, dir.Combine("demo"), force: false, null, CancellationToken.None);
        again.Counts["files"].Should().Be(0, "a complete, verified folder is not downloaded again");
    }

    [Fact]
    public async Task Should_ResumeAndFailOnMismatch_When_ChecksumIsWrong()
    {
        using var server = new LoopbackServer(Sums((k, v) => k == "LICENSE.txt" ? new string('0', 64) : Convert.ToHexStringLower(SHA256.HashData(v))), Files);
        using var dir = new TempDirectory();
        using var http = new HttpClient();
        var act = () => new DemoDownloader(http, NullLogger.Instance).RunAsync(server.BaseUri, dir.Combine("demo"), false, null, CancellationToken.None);
        var ex = (await act.Should().ThrowAsync<ExternalServiceException>()).Which;
        ex.Message.Should().Contain("LICENSE.txt").And.Contain("SHA-256 mismatch");
        Directory.Exists(dir.Combine("demo")).Should().BeFalse("nothing is published until every file verifies");
        File.Exists(dir.Combine("demo.partial", "icu", "icustays.csv.gz")).Should().BeTrue("verified files are kept for resuming");
    }

    [Fact]
    public async Task Should_ThrowServiceError_When_NoServerListens()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var dir = new TempDirectory();
        using var http = new HttpClient();
        var act = () => new DemoDownloader(http, NullLogger.Instance).RunAsync(new Uri($"http://127.0.0.1:{port}/files/"), dir.Combine("demo"), false, null, CancellationToken.None);
        var ex = (await act.Should().ThrowAsync<ExternalServiceException>()).Which;
        ex.ExitCode.Should().Be(ExitCodes.ServiceUnavailable);
    }

    /// <summary>A tiny HTTP server on loopback that serves a release folder (with Range support).</summary>
    private sealed class LoopbackServer : IDisposable
    {
        private readonly HttpListener _listener = new();
        private readonly Task _loop;

        public LoopbackServer(string sums, Dictionary<string, byte[]> files)
        {
            using var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            var port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            BaseUri = new Uri($"http://127.0.0.1:{port}/files/mimic-iv-demo/2.2/");
            _listener.Prefixes.Add(BaseUri.AbsoluteUri);
            _listener.Start();
            var content = new Dictionary<string, byte[]>(files, StringComparer.Ordinal) { [DemoDownloader.SumsFile] = Encoding.UTF8.GetBytes(sums) };
            _loop = Task.Run(async () =>
            {
                while (_listener.IsListening)
                {
                    HttpListenerContext ctx;
                    try
                    {
                        ctx = await _listener.GetContextAsync();
                    }
                    catch (Exception ex) when (ex is HttpListenerException or ObjectDisposedException)
                    {
                        return;
                    }

                    var rel = ctx.Request.Url!.AbsolutePath[BaseUri.AbsolutePath.Length..];
                    if (!content.TryGetValue(rel, out var bytes))
                    {
                        ctx.Response.StatusCode = 404;
                        ctx.Response.Close();
                        continue;
                    }

                    var from = 0;
                    var range = ctx.Request.Headers["Range"];
                    if (range is not null && range.StartsWith("bytes=", StringComparison.Ordinal))
                    {
                        from = int.Parse(range[6..].TrimEnd('-'), System.Globalization.CultureInfo.InvariantCulture);
                        ctx.Response.StatusCode = 206;
                    }

                    ctx.Response.ContentLength64 = bytes.Length - from;
                    await ctx.Response.OutputStream.WriteAsync(bytes.AsMemory(from));
                    ctx.Response.Close();
                }
            });
        }

        public Uri BaseUri { get; }

        public void Dispose()
        {
            _listener.Stop();
            _listener.Close();
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
    }
}
