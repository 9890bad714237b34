using System.Text.Json;

namespace EhrR1.Graph.Core.IO;

/// <summary>Appends one JSON value per line to a stream (UTF-8, LF).</summary>
public sealed class JsonlWriter : IDisposable, IAsyncDisposable
{
    private readonly Stream _stream;
    private readonly bool _leaveOpen;
    private readonly Utf8JsonWriter _json;
    private readonly JsonSerializerOptions _options;

    /// <summary>Creates a writer over <paramref name="stream"/>.</summary>
    public JsonlWriter(Stream stream, JsonSerializerOptions? options = null, bool leaveOpen = false)
    {
        _stream = stream;
        _leaveOpen = leaveOpen;
        _options = options ?? JsonDefaults.Jsonl;
        _json = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = _options.Encoder, Indented = false, SkipValidation = false });
    }

    /// <summary>Number of lines written.</summary>
    public long Count { get; private set; }

    /// <summary>Writes one value as a line.</summary>
    public void Write<T>(T value)
    {
        JsonSerializer.Serialize(_json, value, _options);
        _json.Flush();
        _json.Reset();
        _stream.WriteByte((byte)'\n');
        Count++;
    }

    /// <summary>Flushes buffered bytes to the underlying stream (and to disk when <paramref name="durable"/>).</summary>
    public void Flush(bool durable = false)
    {
        _json.Flush();
        if (_stream is FileStream fs)
        {
            fs.Flush(durable);
        }
        else
        {
            _stream.Flush();
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _json.Dispose();
        if (!_leaveOpen)
        {
            _stream.Dispose();
        }
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await _json.DisposeAsync();
        if (!_leaveOpen)
        {
            await _stream.DisposeAsync();
        }
    }
}
