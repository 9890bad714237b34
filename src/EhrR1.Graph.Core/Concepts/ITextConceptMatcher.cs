namespace EhrR1.Graph.Core.Concepts;

/// <summary>Finds vocabulary concepts in free text (the QuickUMLS role). Implementations are thread-safe.</summary>
public interface ITextConceptMatcher
{
    /// <summary>Every non-overlapping matched span of <paramref name="text"/>, in text order.</summary>
    IReadOnlyList<ConceptSpan> Match(string text, CancellationToken cancellationToken = default);
}
