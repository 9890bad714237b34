using System.Net;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Neo4j.Http;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Neo4j.Tests;

public sealed class Neo4jHttpClientTests
{
    private static readonly Uri Server = new("http://db.example:7474");

    private static Neo4jSettings Settings(int attempts = 3) => new()
    {
        ServerUri = Server,
        MaxAttempts = attempts,
        InitialRetryDelay = TimeSpan.FromMilliseconds(1),
        MaxRetryDelay = TimeSpan.FromMilliseconds(2),
    };

    [Fact]
    public void Should_UseDataTransactionCommit_When_ServerIs3x()
    {
        var uri = Neo4jHttpClient.ParseDiscovery(Server, HttpStub.Discovery3, null, out var version);
        uri.ToString().Should().Be("http://db.example:7474/db/data/transaction/commit");
        version.Should().BeNull();
    }

    [Theory]
    [InlineData(null, "http://db.example:7474/db/neo4j/tx/commit")]
    [InlineData("clinical", "http://db.example:7474/db/clinical/tx/commit")]
    public void Should_FillDatabaseIntoTemplate_When_ServerIs4xOr5x(string? database, string expected)
    {
        // Given: a 5.x discovery document advertising an internal host name
        const string doc = """{"bolt_routing":"neo4j://internal:7687","transaction":"http://internal:7474/db/{databaseName}/tx","bolt_direct":"bolt://internal:7687","neo4j_version":"5.20.0","neo4j_edition":"community"}""";

        // When
        var uri = Neo4jHttpClient.ParseDiscovery(Server, doc, database, out var version);

        // Then
        uri.ToString().Should().Be(expected);
        version.Should().Be("5.20.0");
    }

    [Fact]
    public void Should_KeepBasePath_When_ServerIsBehindAPathPrefix()
    {
        var uri = Neo4jHttpClient.ParseDiscovery(new Uri("https://proxy.example/neo4j/"), HttpStub.Discovery3, null, out _);
        uri.ToString().Should().Be("https://proxy.example/neo4j/db/data/transaction/commit");
    }

    [Fact]
    public void Should_FailNonTransient_When_DiscoveryIsNotNeo4j()
    {
        var act = () => Neo4jHttpClient.ParseDiscovery(Server, "<html>hello</html>", null, out _);
        act.Should().Throw<ExternalServiceException>().Which.IsTransient.Should().BeFalse();
    }

    [Theory]
    [InlineData("Neo.TransientError.Transaction.DeadlockDetected", true)]
    [InlineData("Neo.TransientError.General.DatabaseUnavailable", true)]
    [InlineData("Neo.ClientError.Statement.SyntaxError", false)]
    [InlineData("Neo.DatabaseError.General.UnknownError", false)]
    public void Should_ClassifyTransient_When_ServerReportsError(string code, bool transient)
    {
        // Given
        using var doc = JsonDocument.Parse($$"""{"results":[],"errors":[{"code":"{{code}}","message":"something\nmore"}]}""");

        // When
        var act = () => Neo4jHttpClient.ParseResponse(doc.RootElement, 1);

        // Then
        var e = act.Should().Throw<ExternalServiceException>().Which;
        e.IsTransient.Should().Be(transient);
        e.Message.Should().Contain(code).And.NotContain("more");
        e.ExitCode.Should().Be(ExitCodes.ServiceUnavailable);
    }

    [Fact]
    public void Should_SendDataOnlyAsParameters_When_BuildingBody()
    {
        // Given
        const string evil = "'}) DETACH DELETE n //";
        var s = new CypherStatement("MERGE (c:Concept {cui: $cui})", new Dictionary<string, object?> { ["cui"] = evil, ["rows"] = new[] { 1, 2 } });

        // When
        using var doc = JsonDocument.Parse(Neo4jHttpClient.BuildRequestBody([s]));

        // Then
        var st = doc.RootElement.GetProperty("statements")[0];
        st.GetProperty("statement").GetString().Should().Be("MERGE (c:Concept {cui: $cui})");
        st.GetProperty("parameters").GetProperty("cui").GetString().Should().Be(evil);
        st.GetProperty("parameters").GetProperty("rows").GetArrayLength().Should().Be(2);
    }

    [Fact]
    public async Task Should_RetryAndSucceed_When_ServerAnswers503Twice()
    {
        // Given
        var failures = 0;
        var stub = new HttpStub((req, body) =>
            req.Method == HttpMethod.Get ? HttpStub.Json(HttpStub.Discovery3)
            : body!.Contains("dbms.components", StringComparison.Ordinal) ? HttpStub.Json(HttpStub.Components311)
            : failures++ < 2 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable)
            : HttpStub.Json("""{"results":[{"columns":["x"],"data":[{"row":[42]}]}],"errors":[]}"""));
        using var client = new Neo4jHttpClient(Settings(), NullLogger.Instance, stub);

        // When
        var result = await client.ExecuteAsync(new CypherStatement("RETURN 42 AS x"), CancellationToken.None);

        // Then
        result.Rows[0][0].GetInt32().Should().Be(42);
        failures.Should().Be(3);
        (await client.ConnectAsync(CancellationToken.None)).Version.Should().Be("3.1.1");
    }

    [Fact]
    public async Task Should_FailWithoutRetry_When_AuthenticationFails()
    {
        // Given
        var stub = new HttpStub((_, _) => new HttpResponseMessage(HttpStatusCode.Unauthorized));
        using var client = new Neo4jHttpClient(Settings(), NullLogger.Instance, stub);

        // When
        var act = () => client.ConnectAsync(CancellationToken.None);

        // Then
        var e = (await act.Should().ThrowAsync<ExternalServiceException>()).Which;
        e.Code.Should().Be("EHR-NEO-003");
        e.Message.Should().Contain(Neo4jSettings.UserVariable);
        stub.Requests.Should().ContainSingle();
    }

    [Fact]
    public async Task Should_SendBasicAuthAndNeverPrintPassword_When_CredentialsAreSet()
    {
        // Given
        var stub = new HttpStub((req, body) => req.Method == HttpMethod.Get ? HttpStub.Json(HttpStub.Discovery3) : HttpStub.Json(HttpStub.Components311));
        var settings = Settings() with { User = "neo4j", Password = "s3cret-pw" };
        using var client = new Neo4jHttpClient(settings, NullLogger.Instance, stub);

        // When
        await client.ConnectAsync(CancellationToken.None);

        // Then
        var auth = stub.Requests[0].Request.Headers.Authorization!;
        auth.Scheme.Should().Be("Basic");
        System.Text.Encoding.UTF8.GetString(Convert.FromBase64String(auth.Parameter!)).Should().Be("neo4j:s3cret-pw");
        settings.ToString().Should().NotContain("s3cret-pw");
    }

    [Fact]
    public async Task Should_FailTransientAfterRetries_When_NothingListens()
    {
        // Given: a port that was free a moment ago
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        using var client = new Neo4jHttpClient(Settings(attempts: 2) with { ServerUri = new Uri($"http://127.0.0.1:{port}") }, NullLogger.Instance);

        // When
        var act = () => client.ConnectAsync(CancellationToken.None);

        // Then
        var e = (await act.Should().ThrowAsync<ExternalServiceException>()).Which;
        e.IsTransient.Should().BeTrue();
        e.Code.Should().Be("EHR-NEO-001");
    }

    [Fact]
    public void Should_RejectCredentialsInUrlAndBoltScheme_When_Validating()
    {
        new Neo4jSettings { ServerUri = new Uri("bolt://127.0.0.1:7687") }.Validate().Should().ContainSingle();
        new Neo4jSettings { ServerUri = new Uri("http://u:p@127.0.0.1:7474") }.Validate().Should().ContainSingle(m => m.Contains("EHRR1_NEO4J_USER", StringComparison.Ordinal));
        new Neo4jSettings { ServerUri = Server, User = "neo4j" }.Validate().Should().ContainSingle();
        new Neo4jSettings { ServerUri = Server, Database = "x; DROP" }.Validate().Should().ContainSingle();
    }
}
