namespace EhrR1.Graph.TestSupport.Http;

/// <summary>A request received by <see cref="LoopbackChatServer"/> (header names lower-cased).</summary>
public sealed record FakeHttpRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string Path => Target.Split('?', 2)[0];

    public string Query => Target.Contains('?', StringComparison.Ordinal) ? Target.Split('?', 2)[1] : string.Empty;
}
