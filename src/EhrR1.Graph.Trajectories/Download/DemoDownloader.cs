using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Pipeline;
using Microsoft.Extensions.Logging;

// A few log lines per run: argument evaluation cost is irrelevant.
#pragma warning disable CA1873

namespace EhrR1.Graph.Trajectories.Download;

/// <summary>
/// Downloads a PhysioNet release listed by its <c>SHA256SUMS.txt</c> (default: the open MIMIC-IV demo 2.2) and
/// verifies every file. Resumable: files are staged in <c>OUT.partial/</c>, already verified files are kept, and
/// an interrupted file resumes with an HTTP range request. Atomic: the folder is renamed to OUT only when every
/// file verifies.
/// </summary>
public sealed class DemoDownloader(HttpClient http, ILogger logger)
{
    /// <summary>The open MIMIC-IV Clinical Database Demo 2.2.</summary>
    public const string DefaultBaseUrl = "https://physionet.org/files/mimic-iv-demo/2.2/";

    /// <summary>The checksum list of a release.</summary>
    public const string SumsFile = "SHA256SUMS.txt";

    /// <summary>Result of a download.</summary>
    public sealed record Result(string Folder, double ElapsedSeconds, IReadOnlyDictionary<string, long> Counts);

    /// <summary>Downloads and verifies the release at <paramref name="baseUrl"/> into <paramref name="output"/>.</summary>
    public async Task<Result> RunAsync(Uri baseUrl, string output, bool force, IProgress<StageProgress>? progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(baseUrl);
        var sw = Stopwatch.StartNew();
        var target = Path.GetFullPath(output);
        if (!baseUrl.AbsoluteUri.EndsWith('/'))
        {
            baseUrl = new Uri(baseUrl.AbsoluteUri + "/");
        }

        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any() && !force)
        {
            if (File.Exists(Path.Combine(target, SumsFile)))
            {
                var bad = await VerifyFolderAsync(target, cancellationToken).ConfigureAwait(false);
                if (bad.Count == 0)
                {
                    logger.LogInformation("{Folder} is already complete and verified.", target);
                    return new Result(target, sw.Elapsed.TotalSeconds, new Dictionary<string, long>(StringComparer.Ordinal) { ["files"] = 0, ["verified"] = ParseSums(await File.ReadAllTextAsync(Path.Combine(target, SumsFile), cancellationToken).ConfigureAwait(false), target).Count });
                }
            }

            throw new StageConfigurationException($"Output folder {target} already exists and is not a complete, verified release. Pass --force to replace it, or choose another folder.");
        }

        var staging = target.TrimEnd(Path.DirectorySeparatorChar) + ".partial";
        Directory.CreateDirectory(staging);
        var sumsText = await GetStringAsync(new Uri(baseUrl, SumsFile), cancellationToken).ConfigureAwait(false);
        var entries = ParseSums(sumsText, baseUrl.AbsoluteUri + SumsFile);
        long downloaded = 0, skipped = 0, bytes = 0;
        for (var i = 0; i < entries.Count; i++)
        {
            var (hash, rel) = entries[i];
            var dest = Path.Combine(staging, rel.Replace('/', Path.DirectorySeparatorChar));
            Directory.CreateDirectory(Path.GetDirectoryName(dest)!);
            if (File.Exists(dest) && string.Equals(await HashFileAsync(dest, cancellationToken).ConfigureAwait(false), hash, StringComparison.Ordinal))
            {
                skipped++;
            }
            else
            {
                bytes += await DownloadFileAsync(new Uri(baseUrl, rel), dest, hash, rel, cancellationToken).ConfigureAwait(false);
                downloaded++;
            }

            progress?.Report(new StageProgress("download", i + 1, entries.Count, "files"));
        }

        await File.WriteAllTextAsync(Path.Combine(staging, SumsFile), sumsText, cancellationToken).ConfigureAwait(false);
        if (Directory.Exists(target))
        {
            var old = target + ".old-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
            Directory.Move(target, old);
            Directory.Move(staging, target);
            Directory.Delete(old, recursive: true);
        }
        else
        {
            Directory.Move(staging, target);
        }

        logger.LogInformation("Downloaded {Files} files ({Skipped} already present) into {Folder}; all {Count} verified.", downloaded, skipped, target, entries.Count);
        return new Result(target, sw.Elapsed.TotalSeconds, new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["files"] = downloaded,
            ["skipped"] = skipped,
            ["bytes"] = bytes,
            ["verified"] = entries.Count,
        });
    }

    /// <summary>Parses <c>SHA256SUMS.txt</c>: lines <c>HEX  relative/path</c>; rejects absolute or escaping paths.</summary>
    internal static List<(string Hash, string Path)> ParseSums(string text, string source)
    {
        var list = new List<(string, string)>();
        var lineNo = 0;
        foreach (var raw in text.Split('\n'))
        {
            lineNo++;
            var line = raw.TrimEnd('\r');
            if (line.Length == 0)
            {
                continue;
            }

            var sp = line.IndexOf(' ', StringComparison.Ordinal);
            var hash = sp > 0 ? line[..sp].ToLowerInvariant() : string.Empty;
            var rel = sp > 0 ? line[(sp + 1)..].TrimStart(' ', '*') : string.Empty;
            if (hash.Length != 64 || !hash.All(Uri.IsHexDigit) || rel.Length == 0 || rel.StartsWith('/') || rel.Split('/').Any(p => p is ".." or "."))
            {
                throw new InputDataException("EHR-DL-001", source, lineNo, null, "Not a SHA256SUMS line", "64 hex digits, spaces, a relative path", "another layout",
                    "Check --base-url points at a PhysioNet release folder");
            }

            if (string.Equals(rel, SumsFile, StringComparison.Ordinal))
            {
                continue;
            }

            list.Add((hash, rel));
        }

        if (list.Count == 0)
        {
            throw new InputDataException("EHR-DL-002", source, null, null, "The checksum list is empty", "one line per release file", "no entries",
                "Check --base-url points at a PhysioNet release folder");
        }

        return list;
    }

    /// <summary>Re-hashes every file of a release folder; returns the relative paths that do not match.</summary>
    public static async Task<List<string>> VerifyFolderAsync(string folder, CancellationToken cancellationToken)
    {
        var entries = ParseSums(await File.ReadAllTextAsync(Path.Combine(folder, SumsFile), cancellationToken).ConfigureAwait(false), Path.Combine(folder, SumsFile));
        var bad = new List<string>();
        foreach (var (hash, rel) in entries)
        {
            var p = Path.Combine(folder, rel.Replace('/', Path.DirectorySeparatorChar));
            if (!File.Exists(p) || !string.Equals(await HashFileAsync(p, cancellationToken).ConfigureAwait(false), hash, StringComparison.Ordinal))
            {
                bad.Add(rel);
            }
        }

        return bad;
    }

    private static async Task<string> HashFileAsync(string path, CancellationToken ct)
    {
        await using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(s, ct).ConfigureAwait(false));
    }

    private async Task<string> GetStringAsync(Uri uri, CancellationToken ct)
    {
        try
        {
            using var resp = await http.GetAsync(uri, ct).ConfigureAwait(false);
            if (!resp.IsSuccessStatusCode)
            {
                throw new ExternalServiceException("EHR-DL-010", "PhysioNet", $"GET {uri} returned HTTP {(int)resp.StatusCode}. Check --base-url.", isTransient: (int)resp.StatusCode >= 500);
            }

            return await resp.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw Unreachable(uri, ex);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw Unreachable(uri, ex);
        }
    }

    private static ExternalServiceException Unreachable(Uri uri, Exception ex) =>
        new("EHR-DL-011", "PhysioNet", $"cannot reach {uri.Host} ({ex.Message}). Check the network connection, or copy an existing demo folder and point --mimic / EHRR1_MIMIC at it; re-running resumes where it stopped.", isTransient: true, ex);

    private async Task<long> DownloadFileAsync(Uri uri, string dest, string expectedHash, string rel, CancellationToken ct)
    {
        var part = dest + ".part";
        for (var attempt = 1; ; attempt++)
        {
            var have = File.Exists(part) ? new FileInfo(part).Length : 0;
            try
            {
                using var req = new HttpRequestMessage(HttpMethod.Get, uri);
                if (have > 0)
                {
                    req.Headers.Range = new RangeHeaderValue(have, null);
                }

                using var resp = await http.SendAsync(req, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
                if (resp.StatusCode == HttpStatusCode.RequestedRangeNotSatisfiable)
                {
                    File.Delete(part);
                    continue;
                }

                if (!resp.IsSuccessStatusCode)
                {
                    throw new ExternalServiceException("EHR-DL-010", "PhysioNet", $"GET {uri} returned HTTP {(int)resp.StatusCode}.", isTransient: (int)resp.StatusCode >= 500);
                }

                var append = have > 0 && resp.StatusCode == HttpStatusCode.PartialContent;
                await using (var fs = new FileStream(part, append ? FileMode.Append : FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true))
                {
                    await using var body = await resp.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
                    await body.CopyToAsync(fs, ct).ConfigureAwait(false);
                }
            }
            catch (HttpRequestException ex)
            {
                throw Unreachable(uri, ex);
            }
            catch (IOException ex) when (attempt < 3)
            {
                logger.LogWarning("Download of {File} was interrupted ({Message}); resuming.", rel, ex.Message);
                continue;
            }

            var hash = await HashFileAsync(part, ct).ConfigureAwait(false);
            if (string.Equals(hash, expectedHash, StringComparison.Ordinal))
            {
                File.Move(part, dest, overwrite: true);
                return new FileInfo(dest).Length;
            }

            File.Delete(part);
            if (attempt >= 2)
            {
                throw new ExternalServiceException("EHR-DL-012", "PhysioNet",
                    $"{rel}: SHA-256 mismatch after {attempt} downloads (expected {expectedHash}, got {hash}). The mirror or a proxy is altering the file; try again later.", isTransient: true);
            }

            logger.LogWarning("{File}: SHA-256 mismatch; downloading again.", rel);
        }
    }
}
