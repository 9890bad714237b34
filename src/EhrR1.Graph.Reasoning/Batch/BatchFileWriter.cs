using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Reasoning.Endpoints;

namespace EhrR1.Graph.Reasoning.Batch;

/// <summary>
/// Writes OpenAI / Azure OpenAI Batch API input files: one request per line
/// <c>{"custom_id", "method": "POST", "url", "body"}</c>, rolled over to a new file before either limit
/// (requests or bytes per file) would be passed. Each file appears under its final name only when complete.
/// </summary>
public sealed class BatchFileWriter : IDisposable
{
    public const string OpenAiUrl = "/v1/chat/completions";
    public const string AzureUrl = "/chat/completions";

    private readonly string _directory;
    private readonly string _prefix;
    private readonly int _maxRequests;
    private readonly long _maxBytes;
    private readonly LlmProvider _provider;
    private readonly string _model;
    private readonly bool _useMaxCompletionTokens;
    private readonly List<string> _files = [];
    private FileStream? _current;
    private PendingFile? _pending;
    private int _requestsInFile;

    public BatchFileWriter(string directory, string prefix, LlmProvider provider, string model, bool useMaxCompletionTokens, int maxRequests = 50_000, long maxBytes = 200_000_000)
    {
        _directory = directory;
        _prefix = prefix;
        _provider = provider;
        _model = model;
        _useMaxCompletionTokens = useMaxCompletionTokens;
        _maxRequests = maxRequests;
        _maxBytes = maxBytes;
        Directory.CreateDirectory(directory);
    }

    public IReadOnlyList<string> Files => _files;

    public long Requests { get; private set; }

    public string Url => _provider == LlmProvider.Azure ? AzureUrl : OpenAiUrl;

    /// <summary>Appends one request; returns the file name (without folder) it went to.</summary>
    public string Write(string customId, ChatRequest request)
    {
        var line = Serialize(customId, request);
        if (line.Length + 1 > _maxBytes)
        {
            throw new InvalidOperationException("one Batch request is larger than the per-file byte limit");
        }

        if (_current is null || _requestsInFile >= _maxRequests || _current.Length + line.Length + 1 > _maxBytes)
        {
            Roll();
        }

        _current!.Write(line);
        _current.WriteByte((byte)'\n');
        _requestsInFile++;
        Requests++;
        return Path.GetFileName(_pending!.Path);
    }

    public byte[] Serialize(string customId, ChatRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonDefaults.Jsonl.Encoder }))
        {
            w.WriteStartObject();
            w.WriteString("custom_id", customId);
            w.WriteString("method", "POST");
            w.WriteString("url", Url);
            w.WritePropertyName("body");
            ChatEndpointClient.WriteRequestBody(w, request, request.Model ?? _model, _useMaxCompletionTokens);
            w.WriteEndObject();
        }

        return buffer.ToArray();
    }

    /// <summary>Closes the last file and publishes it.</summary>
    public void Complete() => CloseCurrent();

    public void Dispose()
    {
        _current?.Dispose();
        _current = null;
        _pending?.Dispose();
        _pending = null;
    }

    private void Roll()
    {
        CloseCurrent();
        var name = string.Create(CultureInfo.InvariantCulture, $"{_prefix}-{_files.Count + 1:D4}.jsonl");
        _pending = AtomicFile.Begin(Path.Combine(_directory, name));
        _current = new FileStream(_pending.TempPath, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16);
        _requestsInFile = 0;
    }

    private void CloseCurrent()
    {
        if (_current is null)
        {
            return;
        }

        _current.Flush(flushToDisk: true);
        _current.Dispose();
        _current = null;
        _pending!.Commit();
        _files.Add(_pending.Path);
        _pending = null;
    }
}
