namespace EhrR1.Graph.Training.Tokenization;

/// <summary>
/// Finds the Qwen3 tokenizer folder: <c>$EHRR1_TOKENIZER</c>, else <c>tokenizer/qwen3</c> beside the shared data root
/// (<c>$EHRR1_DATA/../tokenizer/qwen3</c>, the layout of the shared folder), else the first
/// <c>shared/tokenizer/qwen3</c> beside an ancestor of the current or application directory (the same walk as
/// <c>DataLocations</c> does for data).
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

        if (Core.DataLocations.FindDataRoot() is { } data
            && Path.GetDirectoryName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(data))) is { } shared
            && File.Exists(Path.Combine(shared, "tokenizer", "qwen3", "tokenizer.json")))
        {
            return Path.Combine(shared, "tokenizer", "qwen3");
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
