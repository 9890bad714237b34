namespace EhrR1.Graph.Neo4j.Http;

/// <summary>How to reach a Neo4j server over its HTTP transactional Cypher API.</summary>
public sealed record Neo4jSettings
{
    /// <summary>Environment variable holding the user name (basic auth).</summary>
    public const string UserVariable = "EHRR1_NEO4J_USER";

    /// <summary>Environment variable holding the password (basic auth). Never logged.</summary>
    public const string PasswordVariable = "EHRR1_NEO4J_PASSWORD";

    /// <summary>Server root, e.g. http://127.0.0.1:7474 or https://db.example.org:7473.</summary>
    public required Uri ServerUri { get; init; }

    /// <summary>Database name for Neo4j 4.x/5.x (null = the server's default, <c>neo4j</c>); ignored by 3.x.</summary>
    public string? Database { get; init; }

    /// <summary>Basic-auth user, or null for a server with auth disabled.</summary>
    public string? User { get; init; }

    /// <summary>Basic-auth password (from the environment only).</summary>
    public string? Password { get; init; }

    /// <summary>Timeout of one HTTP request.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Attempts per request when the failure is transient (1 = no retry).</summary>
    public int MaxAttempts { get; init; } = 6;

    /// <summary>First back-off delay; doubles per attempt up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan InitialRetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest back-off delay.</summary>
    public TimeSpan MaxRetryDelay { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Settings for <paramref name="serverUri"/> with credentials read from the environment.</summary>
    public static Neo4jSettings FromEnvironment(Uri serverUri, string? database = null) => new()
    {
        ServerUri = serverUri,
        Database = database,
        User = NullIfEmpty(Environment.GetEnvironmentVariable(UserVariable)),
        Password = NullIfEmpty(Environment.GetEnvironmentVariable(PasswordVariable)),
    };

    /// <summary>Problems with these settings (empty = valid).</summary>
    public IEnumerable<string> Validate()
    {
        if (!ServerUri.IsAbsoluteUri || (ServerUri.Scheme != Uri.UriSchemeHttp && ServerUri.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"--neo4j must be an http:// or https:// URL of the server's HTTP connector (e.g. http://127.0.0.1:7474); got {ServerUri}. Bolt (bolt://, neo4j://) is not supported.";
        }

        if (!string.IsNullOrEmpty(ServerUri.UserInfo))
        {
            yield return $"Do not put credentials in the URL; set {UserVariable} and {PasswordVariable} instead.";
        }

        if ((User is null) != (Password is null))
        {
            yield return $"Set both {UserVariable} and {PasswordVariable}, or neither.";
        }

        if (MaxAttempts < 1)
        {
            yield return "MaxAttempts must be at least 1.";
        }

        if (Database is not null && (Database.Length == 0 || Database.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_'))))
        {
            yield return "--database must be a Neo4j database name (letters, digits, '.', '-', '_').";
        }
    }

    private static string? NullIfEmpty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>The server as it may be written to manifests and logs: scheme, host and port only (never user
    /// information, a path or a query).</summary>
    public static string Describe(Uri server)
    {
        ArgumentNullException.ThrowIfNull(server);
        return server.GetComponents(UriComponents.SchemeAndServer, UriFormat.UriEscaped);
    }

    /// <summary>Never prints the password.</summary>
    public override string ToString() =>
        $"Neo4jSettings {{ ServerUri = {ServerUri}, Database = {Database ?? "(default)"}, User = {User ?? "(none)"} }}";
}
