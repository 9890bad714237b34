namespace EhrR1.Graph.Umls.Matching;

/// <summary>One document of the index: a normalised string of a concept, with the number of the concept's atoms that carry it.</summary>
internal sealed record IndexedString(int DocId, string Normalized, string Original, string Cui, bool Preferred, IReadOnlyList<string> Tuis, IReadOnlyList<string> Groups, int Atoms = 1);

/// <summary>A retrieved string with its exact similarity to the query.</summary>
internal readonly record struct ScoredDoc(int DocId, int Overlap, int Size, double Similarity);
