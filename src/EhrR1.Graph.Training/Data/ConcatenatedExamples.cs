namespace EhrR1.Graph.Training.Data;

/// <summary>Two tokenized corpora seen as one: indices below <c>First.Count</c> are the first corpus, the rest the second.</summary>
public sealed class ConcatenatedExamples : ITokenizedExamples
{
    private readonly ITokenizedExamples _first;
    private readonly ITokenizedExamples _second;

    public ConcatenatedExamples(ITokenizedExamples first, ITokenizedExamples second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        _first = first;
        _second = second;
        Lengths = [.. first.Lengths, .. second.Lengths];
    }

    public int Count => _first.Count + _second.Count;

    public IReadOnlyList<int> Lengths { get; }

    public int Length(int index) => Lengths[index];

    public int PromptLength(int index) => index < _first.Count ? _first.PromptLength(index) : _second.PromptLength(index - _first.Count);

    public int CompletionTokens(int index) => Length(index) - PromptLength(index);

    public int[] Tokens(int index) => index < _first.Count ? _first.Tokens(index) : _second.Tokens(index - _first.Count);
}
