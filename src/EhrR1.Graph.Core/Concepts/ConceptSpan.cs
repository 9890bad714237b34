namespace EhrR1.Graph.Core.Concepts;

/// <summary>A span of text matched to vocabulary concepts, with its ranked candidates (best first).</summary>
/// <param name="Start">Character offset of the span start in the input text.</param>
/// <param name="End">Character offset one past the span end.</param>
/// <param name="Text">The matched surface text.</param>
/// <param name="Candidates">Candidates ranked by similarity, then preferred name.</param>
public sealed record ConceptSpan(int Start, int End, string Text, IReadOnlyList<ConceptCandidate> Candidates);

/// <summary>One vocabulary candidate for a span.</summary>
/// <param name="Cui">Concept unique identifier.</param>
/// <param name="Term">The vocabulary string that matched (normalised).</param>
/// <param name="Similarity">Similarity in [0, 1].</param>
/// <param name="Preferred">True when <paramref name="Term"/> is a preferred name of the concept.</param>
/// <param name="Tuis">Semantic types of the concept.</param>
public sealed record ConceptCandidate(string Cui, string Term, double Similarity, bool Preferred, IReadOnlyList<string> Tuis);
