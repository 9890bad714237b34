using System.Globalization;
using System.Text;

namespace EhrR1.Graph.Neo4j.Http;

/// <summary>
/// Rewrites a statement for the Cypher dialect a server generation runs it with. Neo4j 3.1.1 (the server
/// scripts/neo4j.sh installs) on Java 17 fails the 3.1 planner's <c>shortestPath</c> with an
/// IncompatibleClassChangeError; its <c>CYPHER 2.3</c> planner works but reads parameters only as <c>{name}</c>, not
/// <c>$name</c>. Statements are written once, with <c>$name</c>; <see cref="ForServer"/> converts those that need the
/// 2.3 planner (shortest paths) when the server is 3.x. The only place this conversion is written.
/// </summary>
public static class CypherDialect
{
    /// <summary>The planner prefix for Neo4j 3.x shortest paths.</summary>
    public const string Cypher23Prefix = "CYPHER 2.3";

    /// <summary>The server generations a statement can be written for.</summary>
    public static readonly IReadOnlyList<int> KnownMajors = [3, 4, 5];

    /// <summary>
    /// Reads a server generation: <c>3</c>, <c>3.1</c>, <c>3.x</c>, <c>4</c>, <c>4.4</c>, <c>5</c>, <c>5.x</c> or a full
    /// version such as <c>5.26.0</c>. False for anything else, including a major outside <see cref="KnownMajors"/>.
    /// </summary>
    public static bool TryParseServerVersion(string? text, out int major)
    {
        major = 0;
        var head = text?.Trim().Split('.')[0];
        if (string.IsNullOrEmpty(head) || !int.TryParse(head, NumberStyles.None, CultureInfo.InvariantCulture, out var m) || !KnownMajors.Contains(m))
        {
            return false;
        }

        var rest = text!.Trim()[head.Length..];
        if (rest.Length > 0 && !rest.Split('.', StringSplitOptions.None).Skip(1).All(p => p == "x" || (p.Length > 0 && p.All(char.IsAsciiDigit))))
        {
            return false;
        }

        major = m;
        return true;
    }

    /// <summary>A statement that needs the 2.3 planner on 3.x (a shortest path) as the server of this major runs it:
    /// <see cref="ToCypher23"/> for 3, unchanged for 4 and later.</summary>
    public static string ForServer(string statement, int serverMajor)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (!KnownMajors.Contains(serverMajor))
        {
            throw new ArgumentOutOfRangeException(nameof(serverMajor), serverMajor, "Neo4j major version must be 3, 4 or 5.");
        }

        return serverMajor == 3 ? ToCypher23(statement) : statement;
    }

    /// <summary>
    /// Prefixes <c>CYPHER 2.3</c> and writes every parameter <c>$name</c> as <c>{name}</c>. Text inside string
    /// literals ('…', "…"), backtick-quoted names and comments is left alone. Throws <see cref="ArgumentException"/>
    /// for a statement that already names a CYPHER option, or a <c>$</c> that starts no parameter name (such as
    /// <c>$`odd name`</c>, which the 2.3 syntax cannot write).
    /// </summary>
    public static string ToCypher23(string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        if (statement.TrimStart().StartsWith("CYPHER ", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException("The statement already starts with a CYPHER option; pass it without one.", nameof(statement));
        }

        var sb = new StringBuilder(Cypher23Prefix.Length + statement.Length + 8).Append(Cypher23Prefix).Append('\n');
        var i = 0;
        while (i < statement.Length)
        {
            var c = statement[i];
            var next = i + 1 < statement.Length ? statement[i + 1] : '\0';
            if (c is '\'' or '"' or '`')
            {
                var end = QuotedEnd(statement, i, c);
                sb.Append(statement, i, end - i);
                i = end;
            }
            else if (c == '/' && next == '/')
            {
                var end = statement.IndexOf('\n', i);
                end = end < 0 ? statement.Length : end;
                sb.Append(statement, i, end - i);
                i = end;
            }
            else if (c == '/' && next == '*')
            {
                var end = statement.IndexOf("*/", i + 2, StringComparison.Ordinal);
                end = end < 0 ? statement.Length : end + 2;
                sb.Append(statement, i, end - i);
                i = end;
            }
            else if (c == '$')
            {
                var end = i + 1;
                var numeric = end < statement.Length && char.IsAsciiDigit(statement[end]);
                while (end < statement.Length && (numeric ? char.IsAsciiDigit(statement[end]) : IsNameChar(statement[end], end == i + 1)))
                {
                    end++;
                }

                if (end == i + 1)
                {
                    throw new ArgumentException("'$' at offset " + i.ToString(CultureInfo.InvariantCulture) + " starts no parameter name the CYPHER 2.3 syntax can write ({name}); use letters, digits and '_'.", nameof(statement));
                }

                sb.Append('{').Append(statement, i + 1, end - i - 1).Append('}');
                i = end;
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }

        return sb.ToString();
    }

    private static bool IsNameChar(char c, bool first) => c == '_' || char.IsAsciiLetter(c) || (!first && char.IsAsciiDigit(c));

    /// <summary>The offset just past the closing quote of the literal opening at <paramref name="start"/> (a
    /// backslash escapes the next character in strings; a doubled backtick is one in names).</summary>
    private static int QuotedEnd(string s, int start, char quote)
    {
        var i = start + 1;
        while (i < s.Length)
        {
            if (quote != '`' && s[i] == '\\')
            {
                i += 2;
                continue;
            }

            if (s[i] == quote)
            {
                if (quote == '`' && i + 1 < s.Length && s[i + 1] == '`')
                {
                    i += 2;
                    continue;
                }

                return i + 1;
            }

            i++;
        }

        return s.Length;
    }
}
