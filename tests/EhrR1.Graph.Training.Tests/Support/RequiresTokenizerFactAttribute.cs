using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Tests.Support;

/// <summary>Skips when the shared Qwen3 tokenizer is absent on a dev box; fails in CI (EHRR1_REQUIRE_INTEGRATION=1).</summary>
public sealed class RequiresTokenizerFactAttribute : FactAttribute
{
    public RequiresTokenizerFactAttribute()
    {
        if (TokenizerLocations.FindQwen3() is null && !TestPaths.RequireIntegration)
        {
            Skip = "Shared tokenizer 'shared/tokenizer/qwen3' not found (set EHRR1_TOKENIZER).";
        }
    }
}
