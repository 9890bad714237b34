using EhrR1.Graph.Neo4j.Http;

namespace EhrR1.Graph.Neo4j.Schema;

/// <summary>The constraint and index DDL of <c>graph-schema/schema-{3,4,5}.x.cypher</c>, chosen by server version.</summary>
public static class SchemaScripts
{
    /// <summary>The resource name for a server major version (3 → 3.x, 4 → 4.x, 5 and later → 5.x).</summary>
    public static string FileFor(int major) => major switch
    {
        <= 3 => "schema-3.x.cypher",
        4 => "schema-4.x.cypher",
        _ => "schema-5.x.cypher",
    };

    /// <summary>The DDL statements for a server major version.</summary>
    public static IReadOnlyList<string> StatementsFor(int major)
    {
        var name = "EhrR1.Graph.Neo4j.Schema." + FileFor(major);
        using var stream = typeof(SchemaScripts).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("Embedded schema missing: " + name);
        using var reader = new StreamReader(stream);
        return Split(reader.ReadToEnd());
    }

    /// <summary>Splits a script into statements: drops <c>//</c> comment lines, splits on <c>;</c> at line ends.</summary>
    internal static IReadOnlyList<string> Split(string script)
    {
        var statements = new List<string>();
        var current = new List<string>();
        foreach (var raw in script.Split('\n'))
        {
            var line = raw.TrimEnd('\r').Trim();
            if (line.Length == 0 || line.StartsWith("//", StringComparison.Ordinal))
            {
                continue;
            }

            var ends = line.EndsWith(';');
            current.Add(ends ? line[..^1] : line);
            if (ends)
            {
                statements.Add(string.Join(' ', current));
                current.Clear();
            }
        }

        if (current.Count > 0)
        {
            statements.Add(string.Join(' ', current));
        }

        return statements;
    }

    /// <summary>Applies the DDL for the connected server; each statement in its own transaction (DDL cannot share one with data).</summary>
    public static async Task<int> ApplyAsync(Neo4jHttpClient client, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(client);
        var server = await client.ConnectAsync(cancellationToken);
        var statements = StatementsFor(server.Major);
        foreach (var s in statements)
        {
            await client.ExecuteAsync(new CypherStatement(s), cancellationToken);
        }

        return statements.Count;
    }
}
