namespace EhrR1.Graph.Training.Data;

/// <summary>A tokenized training sample: ids and, per position, whether the token is part of the answer (loss).</summary>
public sealed record SftExample(string SampleId, int[] InputIds, int PromptLength, bool Truncated)
{
    public int Length => InputIds.Length;

    /// <summary>Number of answer tokens whose prediction is scored.</summary>
    public int CompletionTokens => InputIds.Length - PromptLength;
}
