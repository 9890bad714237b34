namespace EhrR1.Graph.Neo4j.Http;

/// <summary>
/// One Cypher statement with its parameters. The text is a constant of the code; every value from data travels as
/// a parameter, so data can never change a query.
/// </summary>
public sealed record CypherStatement(string Text, IReadOnlyDictionary<string, object?> Parameters)
{
    /// <summary>A statement without parameters.</summary>
    public CypherStatement(string text)
        : this(text, new Dictionary<string, object?>(StringComparer.Ordinal))
    {
    }
}
