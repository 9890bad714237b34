using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Reasoning.Prompts;

/// <summary>
/// Finds templates by id or variant name, in a folder (<c>--prompts DIR</c>) or else among the templates embedded
/// in this assembly from the repository's <c>prompts/</c> folder.
/// </summary>
public static class PromptLibrary
{
    /// <summary>Variant names accepted by <c>--prompt</c> and the template id each maps to.</summary>
    public static readonly IReadOnlyDictionary<string, string> Variants = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["with-graph"] = "reasoning-with-graph@v1",
        ["without-graph"] = "reasoning-without-graph@v1",
        ["free-form"] = "reasoning-free-form@v1",
    };

    public static IReadOnlyList<PromptTemplate> LoadAll(string? directory)
    {
        var list = new List<PromptTemplate>();
        if (directory is not null)
        {
            if (!Directory.Exists(directory))
            {
                throw new StageConfigurationException("the prompts folder " + directory + " does not exist.");
            }

            foreach (var file in Directory.EnumerateFiles(directory, "*.md").Order(StringComparer.Ordinal))
            {
                if (string.Equals(Path.GetFileName(file), "README.md", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                list.Add(PromptTemplate.Parse(File.ReadAllText(file), file));
            }

            return list;
        }

        var assembly = typeof(PromptLibrary).Assembly;
        foreach (var name in assembly.GetManifestResourceNames().Where(n => n.StartsWith("prompts/", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(name)!;
            using var reader = new StreamReader(stream);
            list.Add(PromptTemplate.Parse(reader.ReadToEnd(), "embedded:" + name));
        }

        return list;
    }

    /// <summary>Resolves a variant name (<c>with-graph</c>) or a template id (<c>reasoning-with-graph@v1</c>).</summary>
    public static PromptTemplate Resolve(string nameOrId, string? directory)
    {
        ArgumentNullException.ThrowIfNull(nameOrId);
        var id = Variants.TryGetValue(nameOrId, out var mapped) ? mapped : nameOrId;
        var all = LoadAll(directory);
        return all.FirstOrDefault(t => string.Equals(t.Id, id, StringComparison.Ordinal))
            ?? throw new StageConfigurationException("no prompt template '" + nameOrId + "'. Known: " + string.Join(", ", Variants.Keys.Concat(all.Select(t => t.Id))) + ".");
    }
}
