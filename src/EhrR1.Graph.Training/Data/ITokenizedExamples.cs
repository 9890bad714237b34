namespace EhrR1.Graph.Training.Data;

/// <summary>Tokenized SFT examples addressed by index: what a training batch reads (one corpus, or two joined end to end).</summary>
public interface ITokenizedExamples
{
    int Count { get; }

    /// <summary>Tokens per example (prompt and answer).</summary>
    IReadOnlyList<int> Lengths { get; }

    int Length(int index);

    /// <summary>Tokens of the prompt; the loss is taken on the tokens after it.</summary>
    int PromptLength(int index);

    int CompletionTokens(int index);

    int[] Tokens(int index);
}
