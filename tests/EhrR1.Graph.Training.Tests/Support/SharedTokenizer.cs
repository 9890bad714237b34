using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Tests.Support;

/// <summary>The real Qwen3 tokenizer from the shared folder, loaded once per test run.</summary>
internal static class SharedTokenizer
{
    private static readonly Lazy<Qwen3Tokenizer> Instance = new(() =>
        Qwen3Tokenizer.Load(Folder));

    public static string Folder => TokenizerLocations.FindQwen3()
        ?? throw new InvalidOperationException("Shared tokenizer 'shared/tokenizer/qwen3' not found (set EHRR1_TOKENIZER).");

    public static Qwen3Tokenizer Tokenizer => Instance.Value;
}
