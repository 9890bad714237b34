using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EhrR1.Graph.TestSupport.Http;

/// <summary>
/// A minimal HTTP/1.1 server on 127.0.0.1 (TcpListener, keep-alive, Content-Length bodies) that plays an
/// OpenAI-compatible or Azure OpenAI endpoint for tests and benchmarks: a handler decides each answer, so tests
/// can replay recorded responses and inject 429 + Retry-After, 5xx, slow answers, truncated JSON or dropped
/// connections. It also measures what clients did: requests, peak concurrency, request start times.
/// Never exposed beyond loopback.
/// </summary>
public sealed class LoopbackChatServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly Func<FakeHttpRequest, int, FakeHttpResponse> _handler;
    private readonly CancellationTokenSource _stop = new();
    private readonly ConcurrentDictionary<int, Task> _connections = new();
    private readonly Task _acceptLoop;
    private readonly ConcurrentQueue<long> _starts = new();
    private int _connectionIds;
    private int _requestCount;
    private int _inFlight;
    private int _peakInFlight;

    /// <param name="handler">Answers a request; the int is the 1-based arrival number.</param>
    /// <param name="recordStartTimes">Keep every request's arrival timestamp (for RPM checks); off for huge runs.</param>
    public LoopbackChatServer(Func<FakeHttpRequest, int, FakeHttpResponse> handler, bool recordStartTimes = true)
    {
        _handler = handler;
        RecordStartTimes = recordStartTimes;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Server.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
        _listener.Start(1024);
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _acceptLoop = Task.Run(AcceptLoopAsync);
    }

    public int Port { get; }

    public bool RecordStartTimes { get; }

    /// <summary>Base URL for the OpenAI provider (<c>http://127.0.0.1:PORT/v1</c>).</summary>
    public Uri OpenAiEndpoint => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}/v1"));

    /// <summary>Resource URL for the Azure provider (<c>http://127.0.0.1:PORT</c>).</summary>
    public Uri AzureEndpoint => new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{Port}"));

    public int RequestCount => Volatile.Read(ref _requestCount);

    public int PeakConcurrency => Volatile.Read(ref _peakInFlight);

    /// <summary>Arrival times (Stopwatch timestamps) of all requests, when recorded.</summary>
    public IReadOnlyList<long> StartTimes => [.. _starts];

    /// <summary>
    /// A Chat Completions response with <c>n</c> choices (from the request) whose text comes from
    /// <paramref name="content"/>(request body, choice index), usage from simple character counts, and,
    /// when the request asks for them, logprobs with <c>top_logprobs</c> alternatives.
    /// </summary>
    public static FakeHttpResponse Completion(FakeHttpRequest request, Func<JsonElement, int, string> content, TimeSpan delay = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(content);
        using var doc = JsonDocument.Parse(request.Body);
        var root = doc.RootElement;
        var n = root.TryGetProperty("n", out var nn) ? nn.GetInt32() : 1;
        var promptChars = 0;
        foreach (var m in root.GetProperty("messages").EnumerateArray())
        {
            promptChars += m.GetProperty("content").GetString()!.Length;
        }

        var topLogprobs = root.TryGetProperty("top_logprobs", out var tl) ? tl.GetInt32() : 0;
        using var buffer = new MemoryStream();
        var completionChars = 0;
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("id", "chatcmpl-fake");
            w.WriteString("object", "chat.completion");
            w.WriteNumber("created", 1_700_000_000);
            w.WriteString("model", root.TryGetProperty("model", out var model) ? model.GetString() : "fake");
            w.WriteStartArray("choices");
            for (var i = 0; i < n; i++)
            {
                var text = content(root, i);
                completionChars += text.Length;
                w.WriteStartObject();
                w.WriteNumber("index", i);
                w.WriteStartObject("message");
                w.WriteString("role", "assistant");
                w.WriteString("content", text);
                w.WriteEndObject();
                if (topLogprobs > 0)
                {
                    w.WriteStartObject("logprobs");
                    w.WriteStartArray("content");
                    w.WriteStartObject();
                    w.WriteString("token", text.Length > 0 ? text[..Math.Min(3, text.Length)] : string.Empty);
                    w.WriteNumber("logprob", -0.1);
                    w.WriteStartArray("top_logprobs");
                    for (var k = 0; k < topLogprobs; k++)
                    {
                        w.WriteStartObject();
                        w.WriteString("token", k == 0 ? "yes" : k == 1 ? "no" : "alt" + k.ToString(CultureInfo.InvariantCulture));
                        w.WriteNumber("logprob", -0.1 - (k * 1.5));
                        w.WriteEndObject();
                    }

                    w.WriteEndArray();
                    w.WriteEndObject();
                    w.WriteEndArray();
                    w.WriteEndObject();
                }

                w.WriteString("finish_reason", "stop");
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartObject("usage");
            w.WriteNumber("prompt_tokens", (promptChars / 4) + 1);
            w.WriteNumber("completion_tokens", (completionChars / 4) + 1);
            w.WriteNumber("total_tokens", (promptChars / 4) + 1 + (completionChars / 4) + 1);
            w.WriteEndObject();
            w.WriteEndObject();
        }

        return new FakeHttpResponse(200, Encoding.UTF8.GetString(buffer.ToArray())) { Delay = delay };
    }

    public static FakeHttpResponse Error(int status, string code, TimeSpan? retryAfter = null, bool retryAfterMs = false)
    {
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (retryAfter is { } ra)
        {
            if (retryAfterMs)
            {
                headers["retry-after-ms"] = ((long)ra.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            }
            else
            {
                headers["Retry-After"] = ((long)Math.Ceiling(ra.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            }
        }

        return new FakeHttpResponse(status, "{\"error\":{\"message\":\"fake " + code + "\",\"type\":\"" + code + "\",\"code\":\"" + code + "\"}}") { Headers = headers };
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _acceptLoop;
        }
        catch (Exception ex) when (ex is ObjectDisposedException or SocketException or OperationCanceledException)
        {
        }

        await Task.WhenAll(_connections.Values).ContinueWith(_ => { }, TaskScheduler.Default);
        _stop.Dispose();
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception ex) when (ex is ObjectDisposedException or SocketException or OperationCanceledException)
            {
                return;
            }

            socket.NoDelay = true;
            var id = Interlocked.Increment(ref _connectionIds);
            _connections[id] = Task.Run(async () =>
            {
                try
                {
                    await ServeAsync(socket);
                }
                finally
                {
                    _connections.TryRemove(id, out _);
                }
            });
        }
    }

    private async Task ServeAsync(Socket socket)
    {
        using var _ = socket;
        await using var stream = new NetworkStream(socket, ownsSocket: false);
        var reader = new RequestReader(stream);
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                var request = await reader.ReadAsync(_stop.Token);
                if (request is null)
                {
                    return;
                }

                var number = Interlocked.Increment(ref _requestCount);
                if (RecordStartTimes)
                {
                    _starts.Enqueue(System.Diagnostics.Stopwatch.GetTimestamp());
                }

                var inFlight = Interlocked.Increment(ref _inFlight);
                int peak;
                while (inFlight > (peak = Volatile.Read(ref _peakInFlight)) && Interlocked.CompareExchange(ref _peakInFlight, inFlight, peak) != peak)
                {
                }

                FakeHttpResponse response;
                try
                {
                    response = _handler(request, number);
                    if (response.Delay > TimeSpan.Zero)
                    {
                        await Task.Delay(response.Delay, _stop.Token);
                    }
                }
                finally
                {
                    Interlocked.Decrement(ref _inFlight);
                }

                if (response.CloseWithoutResponse)
                {
                    socket.Close(0);
                    return;
                }

                var body = Encoding.UTF8.GetBytes(response.Body);
                var head = new StringBuilder();
                head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {response.Status} {ReasonPhrase(response.Status)}\r\n");
                head.Append(CultureInfo.InvariantCulture, $"Content-Type: {response.ContentType}\r\nContent-Length: {body.Length}\r\n");
                foreach (var (k, v) in response.Headers)
                {
                    head.Append(k).Append(": ").Append(v).Append("\r\n");
                }

                head.Append(response.TruncateBodyTo is null ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n");
                await stream.WriteAsync(Encoding.ASCII.GetBytes(head.ToString()), _stop.Token);
                if (response.TruncateBodyTo is { } cut)
                {
                    await stream.WriteAsync(body.AsMemory(0, Math.Min(cut, body.Length)), _stop.Token);
                    await stream.FlushAsync(_stop.Token);
                    socket.Shutdown(SocketShutdown.Both);
                    return;
                }

                await stream.WriteAsync(body, _stop.Token);
                await stream.FlushAsync(_stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private static string ReasonPhrase(int status) => status switch
    {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    };

    private sealed class RequestReader(Stream stream)
    {
        private readonly byte[] _buffer = new byte[1 << 16];
        private int _start;
        private int _end;

        public async Task<FakeHttpRequest?> ReadAsync(CancellationToken cancellationToken)
        {
            // Headers: read until CRLFCRLF.
            int headerEnd;
            while ((headerEnd = IndexOfHeaderEnd()) < 0)
            {
                if (!await FillAsync(cancellationToken))
                {
                    return null;
                }
            }

            var headerText = Encoding.ASCII.GetString(_buffer, _start, headerEnd - _start);
            _start = headerEnd + 4;
            var lines = headerText.Split("\r\n");
            var parts = lines[0].Split(' ');
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    headers[line[..colon].Trim().ToLowerInvariant()] = line[(colon + 1)..].Trim();
                }
            }

            var length = headers.TryGetValue("content-length", out var cl) ? int.Parse(cl, CultureInfo.InvariantCulture) : 0;
            var body = new byte[length];
            var copied = 0;
            while (copied < length)
            {
                if (_end - _start == 0 && !await FillAsync(cancellationToken))
                {
                    return null;
                }

                var take = Math.Min(length - copied, _end - _start);
                Buffer.BlockCopy(_buffer, _start, body, copied, take);
                _start += take;
                copied += take;
            }

            return new FakeHttpRequest(parts[0], parts.Length > 1 ? parts[1] : "/", headers, Encoding.UTF8.GetString(body));
        }

        private int IndexOfHeaderEnd()
        {
            var span = _buffer.AsSpan(_start, _end - _start);
            var i = span.IndexOf("\r\n\r\n"u8);
            return i < 0 ? -1 : _start + i;
        }

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }

            if (_end == _buffer.Length)
            {
                throw new IOException("request header too large");
            }

            var n = await stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken);
            _end += n;
            return n > 0;
        }
    }
}
