namespace EhrR1.Graph.TestSupport.Http;

/// <summary>
/// What <see cref="LoopbackChatServer"/> answers: status, headers and body after <see cref="Delay"/>.
/// <see cref="TruncateBodyTo"/> sends a Content-Length for the whole body but only that many bytes and then
/// closes the connection (a cut-off response); <see cref="CloseWithoutResponse"/> drops the connection.
/// </summary>
public sealed record FakeHttpResponse(int Status, string Body)
{
    public IReadOnlyDictionary<string, string> Headers { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    public TimeSpan Delay { get; init; }

    public int? TruncateBodyTo { get; init; }

    public bool CloseWithoutResponse { get; init; }

    public string ContentType { get; init; } = "application/json";

    public static FakeHttpResponse Json(string body, int status = 200) => new(status, body);
}
