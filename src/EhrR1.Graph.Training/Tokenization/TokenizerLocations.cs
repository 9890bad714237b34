namespace EhrR1.Graph.Training.Tokenization;

/// <summary>
/// Finds the Qwen3 tokenizer folder: <c>$EHRR1_TOKENIZER</c>, else the first <c>shared/tokenizer/qwen3</c> beside an
/// ancestor of the current or application directory (the same walk as <c>DataLocations</c> does for data).
/// </summary>
public static class TokenizerLocations
{
    public const string TokenizerVariable = "EHRR1_TOKENIZER";

    public static string? FindQwen3()
    {
        var env = Environment.GetEnvironmentVariable(TokenizerVariable);
        if (!string.IsNullOrWhiteSpace(env))
        {
            return Directory.Exists(env) || File.Exists(env) ? Path.GetFullPath(env) : null;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "shared", "tokenizer", "qwen3");
                if (File.Exists(Path.Combine(candidate, "tokenizer.json")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }
}
