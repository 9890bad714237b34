namespace EhrR1.Graph.Core.Concepts;

/// <summary>
/// The display kind of a concept (drug, disorder, lab test, procedure, drug class, category), from its semantic group
/// and types: Neo4j gets it as a second label beside <c>:Concept</c>, which <c>graph-schema/style.grass</c> colours
/// (Neo4j Browser styles by label, not by property value). A fixed list, so the label is never taken from data.
/// </summary>
public static class ConceptKinds
{
#pragma warning disable CS1591 // the constants are the label names
    public const string Drug = "Drug";
    public const string Disorder = "Disorder";
    public const string LabTest = "LabTest";
    public const string Procedure = "Procedure";
    public const string DrugClass = "DrugClass";
    public const string Category = "Category";

#pragma warning restore CS1591

    /// <summary>Semantic types of lab tests (Laboratory Procedure, Laboratory or Test Result, Clinical Attribute).</summary>
    public static readonly IReadOnlySet<string> LabTestTypes = new HashSet<string>(["T059", "T034", "T201"], StringComparer.Ordinal);

    /// <summary>Every kind, in the order the Cypher statements test them.</summary>
    public static readonly IReadOnlyList<string> All = [Drug, Disorder, LabTest, Procedure, DrugClass, Category];

    /// <summary>FDA Established Pharmacologic Class and MED-RT class names end with one of these (as in UMLS).</summary>
    private static readonly string[] ClassSuffixes = [" [EPC]", " [MoA]", " [PE]", " [Chemical/Ingredient]"];

    /// <summary>Identifier prefix of the open vocabulary's MeSH pharmacological action classes (typed T121 like the
    /// drugs in them, as in UMLS, and named without a suffix).</summary>
    public const string MeshActionPrefix = "XMSH_";

    /// <summary>The kind of a concept, or null when it is none of them. <paramref name="cui"/>, when given, marks the
    /// open vocabulary's MeSH pharmacological action classes (<see cref="MeshActionPrefix"/>) as drug classes.</summary>
    public static string? Of(string? group, IReadOnlyCollection<string>? tuis, string? name, string? cui = null)
    {
        tuis ??= [];
        if ((name is not null && ClassSuffixes.Any(s => name.EndsWith(s, StringComparison.Ordinal)))
            || (cui is not null && cui.StartsWith(MeshActionPrefix, StringComparison.Ordinal)))
        {
            return DrugClass;
        }

        if (tuis.Contains("T185"))
        {
            return Category;
        }

        if (tuis.Any(LabTestTypes.Contains))
        {
            return LabTest;
        }

        return group switch
        {
            "CHEM" => Drug,
            "DISO" => Disorder,
            "PROC" => Procedure,
            _ => null,
        };
    }

    /// <summary>
    /// Cypher that sets the kind label on node <paramref name="node"/>: one <c>FOREACH</c> per kind over the row field
    /// <c>ROW.kind_KIND</c>, which <see cref="RowFields"/> sets to <c>[1]</c> for the concept's kind and <c>[]</c>
    /// otherwise (a label cannot be a parameter, so each label is a constant of this list, never data).
    /// </summary>
    public static string CypherSetLabel(string node, string row) =>
        string.Join(' ', All.Select(k => $"FOREACH (_ IN {row}.kind_{k} | SET {node}:{k})"));

    /// <summary>The row fields <see cref="CypherSetLabel"/> reads, for a concept of kind <paramref name="kind"/>.</summary>
    public static IEnumerable<KeyValuePair<string, object?>> RowFields(string? kind) =>
        All.Select(k => new KeyValuePair<string, object?>("kind_" + k, string.Equals(k, kind, StringComparison.Ordinal) ? One : None));

    private static readonly int[] One = [1];
    private static readonly int[] None = [];
}
