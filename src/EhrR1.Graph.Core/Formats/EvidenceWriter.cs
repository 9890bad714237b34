using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Core.Formats;

/// <summary>
/// The one writer of <c>evidence.jsonl</c>: one <see cref="EvidenceRecord"/> per line (UTF-8, LF, compact, nulls
/// written, non-ASCII kept as is). <see cref="EvidenceFile"/> reads it back.
/// </summary>
public sealed class EvidenceWriter(Stream stream, bool leaveOpen = false) : IDisposable, IAsyncDisposable
{
    private readonly JsonlWriter _writer = new(stream, JsonDefaults.Jsonl, leaveOpen);

    /// <summary>Number of records written.</summary>
    public long Count => _writer.Count;

    /// <summary>Writes one record as a line.</summary>
    public void Write(EvidenceRecord record) => _writer.Write(record);

    /// <summary>Flushes buffered bytes to the stream (and to disk when <paramref name="durable"/>).</summary>
    public void Flush(bool durable = false) => _writer.Flush(durable);

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();

    /// <inheritdoc />
    public ValueTask DisposeAsync() => _writer.DisposeAsync();
}
