using System.Net;
using System.Text;

namespace EhrR1.Graph.Neo4j.Tests;

/// <summary>A hand-written HTTP handler: answers from a queue of responses (or a function) and records the requests.</summary>
internal sealed class HttpStub(Func<HttpRequestMessage, string?, HttpResponseMessage> respond) : HttpMessageHandler
{
    public List<(HttpRequestMessage Request, string? Body)> Requests { get; } = [];

    public static HttpResponseMessage Json(string json, HttpStatusCode status = HttpStatusCode.OK) =>
        new(status) { Content = new StringContent(json, Encoding.UTF8, "application/json") };

    public const string Discovery3 = """{"management":"http://127.0.0.1:7474/db/manage/","data":"http://127.0.0.1:7474/db/data/","bolt":"bolt://127.0.0.1:7687"}""";

    public const string Components311 = """{"results":[{"columns":["name","versions","edition"],"data":[{"row":["Neo4j Kernel",["3.1.1"],"community"],"meta":[null,null,null]}]}],"errors":[]}""";

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? null : await request.Content.ReadAsStringAsync(cancellationToken);
        Requests.Add((request, body));
        return respond(request, body);
    }
}
