using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Reasoning.Prompts;

/// <summary>
/// A versioned prompt template (see <c>prompts/README.md</c>): front matter with <c>id</c> and
/// <c>description</c>, then text with <c>{{name}}</c> placeholders filled in a single pass.
/// </summary>
public sealed class PromptTemplate
{
    public static readonly IReadOnlySet<string> KnownPlaceholders = new HashSet<string>(StringComparer.Ordinal) { "context", "knowledge", "labels", "task" };

    private readonly List<(string? Literal, string? Placeholder)> _parts;

    private PromptTemplate(string id, string description, string text, string source, List<(string?, string?)> parts)
    {
        Id = id;
        Description = description;
        Text = text;
        Source = source;
        _parts = parts;
        Sha256 = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));
        Placeholders = parts.Where(p => p.Item2 is not null).Select(p => p.Item2!).ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Versioned id, e.g. <c>reasoning-with-graph@v1</c>.</summary>
    public string Id { get; }

    public string Description { get; }

    /// <summary>The whole file text (front matter included), as copied to the run folder.</summary>
    public string Text { get; }

    public string Source { get; }

    public string Sha256 { get; }

    public IReadOnlySet<string> Placeholders { get; }

    public bool UsesKnowledge => Placeholders.Contains("knowledge");

    public static PromptTemplate Parse(string text, string source)
    {
        ArgumentNullException.ThrowIfNull(text);
        var normalized = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        if (!normalized.StartsWith("---\n", StringComparison.Ordinal))
        {
            throw Bad(source, "the template does not start with a front matter block (---)");
        }

        var end = normalized.IndexOf("\n---\n", 4, StringComparison.Ordinal);
        if (end < 0)
        {
            throw Bad(source, "the front matter is not closed by a line with ---");
        }

        string? id = null, description = null;
        foreach (var line in normalized[4..end].Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                continue;
            }

            var key = line[..colon].Trim();
            var value = line[(colon + 1)..].Trim();
            if (key == "id")
            {
                id = value;
            }
            else if (key == "description")
            {
                description = value;
            }
        }

        if (id is null || !id.Contains('@', StringComparison.Ordinal))
        {
            throw Bad(source, "the front matter has no versioned id (id: NAME@vN)");
        }

        var body = normalized[(end + 5)..];
        var parts = new List<(string?, string?)>();
        var pos = 0;
        while (pos < body.Length)
        {
            var open = body.IndexOf("{{", pos, StringComparison.Ordinal);
            if (open < 0)
            {
                parts.Add((body[pos..], null));
                break;
            }

            var close = body.IndexOf("}}", open + 2, StringComparison.Ordinal);
            if (close < 0)
            {
                throw Bad(source, "a placeholder is opened with {{ but never closed");
            }

            var name = body[(open + 2)..close].Trim();
            if (!KnownPlaceholders.Contains(name))
            {
                throw Bad(source, "unknown placeholder {{" + name + "}}; known: " + string.Join(", ", KnownPlaceholders.Order(StringComparer.Ordinal)));
            }

            parts.Add((body[pos..open], null));
            parts.Add((null, name));
            pos = close + 2;
        }

        foreach (var required in new[] { "context", "labels", "task" })
        {
            if (!parts.Any(p => p.Item2 == required))
            {
                throw Bad(source, "the template lacks the placeholder {{" + required + "}}");
            }
        }

        return new PromptTemplate(id, description ?? string.Empty, text, source, parts);
    }

    /// <summary>Fills the placeholders; values are inserted verbatim and never re-scanned.</summary>
    public string Render(IReadOnlyDictionary<string, string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sb = new StringBuilder(Text.Length + values.Values.Sum(v => v.Length));
        foreach (var (literal, placeholder) in _parts)
        {
            if (literal is not null)
            {
                sb.Append(literal);
            }
            else if (values.TryGetValue(placeholder!, out var v))
            {
                sb.Append(v);
            }
            else
            {
                throw new InvalidOperationException("no value for placeholder " + placeholder);
            }
        }

        return sb.ToString();
    }

    private static StageConfigurationException Bad(string source, string problem) => new(source + ": " + problem + ". See prompts/README.md for the template format.");
}
