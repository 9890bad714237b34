using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Tests.Support;

/// <summary>The theory form of <see cref="RequiresTokenizerFactAttribute"/>.</summary>
public sealed class RequiresTokenizerTheoryAttribute : TheoryAttribute
{
    public RequiresTokenizerTheoryAttribute()
    {
        if (TokenizerLocations.FindQwen3() is null && !TestPaths.RequireIntegration)
        {
            Skip = "Shared tokenizer 'shared/tokenizer/qwen3' not found (set EHRR1_TOKENIZER).";
        }
    }
}
