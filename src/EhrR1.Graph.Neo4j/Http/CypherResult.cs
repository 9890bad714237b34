using System.Text.Json;

namespace EhrR1.Graph.Neo4j.Http;

/// <summary>The result of one statement: column names and rows of JSON values.</summary>
public sealed record CypherResult(IReadOnlyList<string> Columns, IReadOnlyList<JsonElement[]> Rows)
{
    /// <summary>Column index by name.</summary>
    public int Column(string name)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException("Column not in result: " + name);
    }
}
