namespace EhrR1.Graph.Core.Concepts;

/// <summary>Resolves a term (a label, a drug name, an ICD title) to one concept. Thread-safe.</summary>
public interface IConceptResolver
{
    /// <summary>The concept for <paramref name="term"/>, or null when none is found.</summary>
    ResolvedConcept? Resolve(string term);

    /// <summary>
    /// The concept for <paramref name="term"/>, preferring an exact match among concepts with one of
    /// <paramref name="preferredTypes"/> (semantic type ids) over every other match: a lab item named "Glucose" is the
    /// lab test, not the drug. Without such a match, as <see cref="Resolve(string)"/>.
    /// </summary>
    ResolvedConcept? Resolve(string term, IReadOnlySet<string> preferredTypes) => Resolve(term);

    /// <summary>The preferred name of <paramref name="cui"/>, or null when unknown.</summary>
    string? PreferredName(string cui);
}

/// <summary>A resolved concept.</summary>
/// <param name="Cui">Concept unique identifier.</param>
/// <param name="Name">The concept's preferred name.</param>
/// <param name="Method">How it was found: <c>exact</c>, <c>phrase</c> or <c>approximate</c>.</param>
/// <param name="Score">1 for exact; the similarity or relevance otherwise.</param>
/// <param name="Tuis">Semantic types.</param>
public sealed record ResolvedConcept(string Cui, string Name, string Method, double Score, IReadOnlyList<string> Tuis);
