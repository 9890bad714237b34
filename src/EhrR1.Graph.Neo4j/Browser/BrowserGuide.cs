using System.Text.RegularExpressions;

namespace EhrR1.Graph.Neo4j.Browser;

/// <summary>
/// The Neo4j Browser guide of <c>graph-schema/</c> (the slides <c>guide/ehr-graph.html</c>, <c>style.grass</c> and
/// <c>queries.cypher</c>), shipped inside the assembly so <c>ehr-graph graph guide</c> serves it from anywhere.
/// The files name their own location as <see cref="TemplateBase"/>; <see cref="Read"/> rewrites it to where they
/// are actually served.
/// </summary>
public static partial class BrowserGuide
{
    /// <summary>The slides, played with <c>:play BASE/ehr-graph.html</c>.</summary>
    public const string GuideFile = "ehr-graph.html";

    /// <summary>The Browser style, applied with <c>:style BASE/style.grass</c>.</summary>
    public const string StyleFile = "style.grass";

    /// <summary>The saved queries (plain Cypher with comments).</summary>
    public const string QueriesFile = "queries.cypher";

    /// <summary>The base URL written in the files: the default of <c>ehr-graph graph guide</c>.</summary>
    public const string TemplateBase = "http://localhost:8001/";

    /// <summary>The served files, by name.</summary>
    public static IReadOnlyList<string> Files { get; } = [GuideFile, StyleFile, QueriesFile];

    /// <summary>The content type of a served file.</summary>
    public static string ContentType(string file) =>
        file.EndsWith(".html", StringComparison.Ordinal) ? "text/html; charset=utf-8" : "text/plain; charset=utf-8";

    /// <summary>
    /// A file's text with <see cref="TemplateBase"/> replaced by <paramref name="baseUri"/> (ending in /) and, in the
    /// slides, the value of each <c>:param NAME: '...'</c> block named in <paramref name="examples"/> replaced by that
    /// value (see <see cref="GuideExamples"/>).
    /// </summary>
    public static string Read(string file, Uri baseUri, IReadOnlyDictionary<string, string>? examples = null)
    {
        ArgumentNullException.ThrowIfNull(baseUri);
        if (!Files.Contains(file, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{file}' is not one of the guide files ({string.Join(", ", Files)}).", nameof(file));
        }

        var name = "EhrR1.Graph.Neo4j.Browser." + file;
        using var stream = typeof(BrowserGuide).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException("Embedded guide file missing: " + name);
        using var reader = new StreamReader(stream);
        var b = baseUri.AbsoluteUri;
        var text = reader.ReadToEnd().Replace(TemplateBase, b.EndsWith('/') ? b : b + "/", StringComparison.Ordinal);
        return file == GuideFile && examples is { Count: > 0 } ? WithExamples(text, examples) : text;
    }

    /// <summary>Replaces the quoted value of the <c>:param</c> blocks named in <paramref name="examples"/>.</summary>
    internal static string WithExamples(string html, IReadOnlyDictionary<string, string> examples) =>
        ParamBlock().Replace(html, m => examples.TryGetValue(m.Groups["name"].Value, out var value)
            ? m.Groups["head"].Value + "'" + System.Net.WebUtility.HtmlEncode(Quote(value)) + "'" + m.Groups["tail"].Value
            : m.Value);

    /// <summary>A value inside single quotes of a <c>:param</c> line: backslashes and quotes escaped, no line breaks.</summary>
    private static string Quote(string value) =>
        value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal)
            .Replace("\r", " ", StringComparison.Ordinal).Replace("\n", " ", StringComparison.Ordinal);

    [GeneratedRegex("""(?<head><pre class="runnable param-(?<name>[A-Za-z_]+)">:param \k<name>: )'[^'<]*'(?<tail></pre>)""")]
    private static partial Regex ParamBlock();
}
