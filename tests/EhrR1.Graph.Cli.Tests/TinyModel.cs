namespace EhrR1.Graph.Cli.Tests;

/// <summary>The tiny Qwen3 configuration the CLI training tests train on the CPU in seconds.</summary>
internal static class TinyModel
{
    /// <summary>Writes the configuration to <paramref name="path"/> and returns the path.</summary>
    public static string WriteConfig(string path)
    {
        File.WriteAllText(path, """
            {"model_type": "qwen3", "vocab_size": 151936, "hidden_size": 32, "intermediate_size": 64, "num_hidden_layers": 2,
             "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8, "rms_norm_eps": 1e-6, "rope_theta": 10000.0,
             "max_position_embeddings": 1024, "tie_word_embeddings": true, "attention_bias": false, "hidden_act": "silu"}
            """);
        return path;
    }
}
