using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Training.Tokenization;

namespace EhrR1.Graph.Training.Data;

/// <summary>Reads EHR-Ins chat JSONL (<c>{"sample_id", "messages": [{"role","content"}...]}</c>) and tokenizes it record by record.</summary>
public static class EhrInsCorpus
{
    /// <summary>
    /// Streams the records of <paramref name="path"/> encoded one at a time: an example, or null for a record dropped
    /// as too long. Nothing but the current record is held in memory.
    /// </summary>
    public static IEnumerable<SftExample?> Encode(string path, SftEncoder encoder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(encoder);
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-TRN-020", path, null, null, "training data file does not exist", expected: "EHR-Ins chat JSONL");
        }

        return EncodeLines(path, encoder, cancellationToken);
    }

    private static IEnumerable<SftExample?> EncodeLines(string path, SftEncoder encoder, CancellationToken cancellationToken)
    {
        foreach (var (lineNumber, root) in JsonlReader.Read<JsonElement>(path, null, cancellationToken))
        {
            var (id, messages) = Parse(path, lineNumber, root);
            SftExample? example;
            try
            {
                example = encoder.Encode(id, messages);
            }
            catch (ArgumentException ex)
            {
                throw new InputDataException("EHR-TRN-020", path, lineNumber, "messages", ex.Message.Split(" (Parameter", 2)[0],
                    expected: "system?, user, assistant turns ending with the assistant answer");
            }

            yield return example;
        }
    }

    private static (string Id, List<ChatMessage> Messages) Parse(string path, long lineNumber, JsonElement root)
    {
        if (root.ValueKind != JsonValueKind.Object)
        {
            throw new InputDataException("EHR-TRN-020", path, lineNumber, null, "line is not a JSON object", expected: "{\"sample_id\", \"messages\": [...]}", found: "a JSON " + root.ValueKind.ToString().ToLowerInvariant());
        }

        var id = root.TryGetProperty("sample_id", out var sid) && sid.ValueKind == JsonValueKind.String ? sid.GetString()! : "line-" + lineNumber.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (!root.TryGetProperty("messages", out var msgs) || msgs.ValueKind != JsonValueKind.Array)
        {
            throw new InputDataException("EHR-TRN-020", path, lineNumber, "messages", "missing or not an array", expected: "[{\"role\", \"content\"}, ...]");
        }

        var list = new List<ChatMessage>();
        var i = 0;
        foreach (var m in msgs.EnumerateArray())
        {
            if (m.ValueKind != JsonValueKind.Object
                || !m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String
                || !m.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.String)
            {
                throw new InputDataException("EHR-TRN-020", path, lineNumber, $"messages[{i}]", "message lacks string 'role' and 'content'");
            }

            list.Add(new ChatMessage(role.GetString()!, content.GetString()!));
            i++;
        }

        return (id, list);
    }
}
