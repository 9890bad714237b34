using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Evaluation.Predictions;

/// <summary>
/// The append-only predictions file. Opening it for a resume repairs a torn last line (a write cut short by a crash)
/// with the shared <see cref="ResumableJsonl"/>; any other unreadable line is an error naming the line.
/// Each appended record is flushed as one line, so at most the record being written when the process died is lost.
/// </summary>
public sealed class PredictionStore : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly JsonlWriter _writer;
    private readonly Lock _gate = new();

    private PredictionStore(string path, FileStream stream, Dictionary<string, PredictionRecord> existing, long tornBytes)
    {
        Path = path;
        _stream = stream;
        _writer = new JsonlWriter(stream, JsonDefaults.Jsonl, leaveOpen: true);
        Existing = existing;
        TornBytesRemoved = tornBytes;
    }

    public string Path { get; }

    /// <summary>Records already in the file when it was opened, by sample id (first record wins).</summary>
    public IReadOnlyDictionary<string, PredictionRecord> Existing { get; }

    /// <summary>Bytes of a torn last line removed on open (0 when the file ended cleanly).</summary>
    public long TornBytesRemoved { get; }

    public long Appended { get; private set; }

    /// <summary>Opens (creating if needed) the file for appending, after loading and repairing what is there.</summary>
    public static async Task<PredictionStore> OpenAsync(string path, CancellationToken cancellationToken)
    {
        var full = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(full)!);
        var torn = ResumableJsonl.Recover(full, new JsonlRecoveryOptions
        {
            ErrorCode = "EHR-EVAL-015",
            Fix = "The predictions file was edited or corrupted; restore it, or move it away to predict afresh",
        }, cancellationToken).TruncatedBytes;
        var existing = File.Exists(full) ? await LoadAsync(full, cancellationToken) : new Dictionary<string, PredictionRecord>(StringComparer.Ordinal);
        var stream = new FileStream(full, FileMode.Append, FileAccess.Write, FileShare.Read, 1 << 16);
        return new PredictionStore(full, stream, existing, torn);
    }

    /// <summary>Reads a predictions file (read-only), keeping the first record of each sample id.</summary>
    public static async Task<Dictionary<string, PredictionRecord>> LoadAsync(string path, CancellationToken cancellationToken)
    {
        var result = new Dictionary<string, PredictionRecord>(StringComparer.Ordinal);
        await foreach (var line in JsonlReader.ReadAsync<PredictionRecord>(path, JsonDefaults.Jsonl, cancellationToken))
        {
            if (string.IsNullOrEmpty(line.Value.SampleId))
            {
                throw new InputDataException("EHR-EVAL-010", path, line.LineNumber, "sample_id", "the prediction has no sample id", expected: "a non-empty sample_id");
            }

            result.TryAdd(line.Value.SampleId, line.Value);
        }

        return result;
    }

    /// <summary>Appends one record and flushes it.</summary>
    public void Append(PredictionRecord record)
    {
        lock (_gate)
        {
            _writer.Write(record);
            _writer.Flush();
            Appended++;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _writer.Dispose();
        await _stream.FlushAsync();
        await _stream.DisposeAsync();
    }
}
