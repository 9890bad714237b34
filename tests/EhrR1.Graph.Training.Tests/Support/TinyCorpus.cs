using System.Globalization;
using System.Text;
using System.Text.Json;

namespace EhrR1.Graph.Training.Tests.Support;

/// <summary>Writes a small synthetic EHR-Ins-like chat corpus whose answers follow from the record (learnable).</summary>
internal static class TinyCorpus
{
    public static string Write(string path, int count, int seed, int labRows = 6)
    {
        var rng = new Random(seed);
        var sb = new StringBuilder();
        string[] labs = ["Potassium", "Sodium", "Creatinine", "Glucose", "Hemoglobin"];
        for (var i = 0; i < count; i++)
        {
            var potassium = Math.Round(3.0 + (rng.NextDouble() * 3.0), 1);
            var ehr = new StringBuilder();
            ehr.Append("## Patient Demographics\nGender: ").Append(rng.Next(2) == 0 ? "F" : "M").Append(", Age: ").Append(rng.Next(20, 90).ToString(CultureInfo.InvariantCulture)).Append('\n');
            ehr.Append("## Laboratory Test Events\n| item_name | value | unit |\n| --- | --- | --- |\n");
            for (var r = 0; r < labRows; r++)
            {
                var lab = labs[rng.Next(labs.Length)];
                ehr.Append("| ").Append(lab).Append(" | ").Append(Math.Round(rng.NextDouble() * 100, 1).ToString(CultureInfo.InvariantCulture)).Append(" | mg/dL |\n");
            }

            ehr.Append("| Potassium | ").Append(potassium.ToString(CultureInfo.InvariantCulture)).Append(" | mEq/L |\n");
            var answer = potassium > 4.5 ? "Hyperkalemia" : "Normal potassium";
            var record = new
            {
                sample_id = "lab:" + (10000 + i).ToString(CultureInfo.InvariantCulture) + ":0",
                messages = new[]
                {
                    new { role = "system", content = "You are a helpful assistant." },
                    new { role = "user", content = ehr + "\nWhat is the potassium status of the patient at the last lab event?" },
                    new { role = "assistant", content = answer },
                },
            };
            sb.Append(JsonSerializer.Serialize(record)).Append('\n');
        }

        File.WriteAllText(path, sb.ToString());
        return path;
    }

    public const string TinyConfigJson = """
        {
          "model_type": "qwen3", "vocab_size": 151936, "hidden_size": 32, "intermediate_size": 64,
          "num_hidden_layers": 2, "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 8,
          "rms_norm_eps": 1e-6, "rope_theta": 10000.0, "max_position_embeddings": 1024,
          "tie_word_embeddings": true, "attention_bias": false, "hidden_act": "silu"
        }
        """;
}
