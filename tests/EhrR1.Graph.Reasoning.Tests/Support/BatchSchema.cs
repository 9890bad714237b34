using System.Text.Json;

namespace EhrR1.Graph.Reasoning.Tests.Support;

/// <summary>
/// Checks a Batch API input file against the documented contract: one JSON object per line with exactly
/// custom_id (unique, non-empty string), method "POST", url (the chat completions path), body (a Chat Completions
/// request: model, non-empty messages of role/content, optional n ≥ 1, temperature in [0, 2], max_tokens ≥ 1);
/// one model per file; at most 50,000 lines and 200 MB.
/// </summary>
internal static class BatchSchema
{
    public static IReadOnlyList<string> Validate(string path, string expectedUrl)
    {
        var problems = new List<string>();
        var info = new FileInfo(path);
        if (info.Length > 200_000_000)
        {
            problems.Add("file larger than 200 MB");
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var models = new HashSet<string>(StringComparer.Ordinal);
        var lineNo = 0;
        foreach (var line in File.ReadLines(path))
        {
            lineNo++;
            using var doc = JsonDocument.Parse(line);
            var root = doc.RootElement;
            var keys = root.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToList();
            if (!keys.SequenceEqual(["body", "custom_id", "method", "url"]))
            {
                problems.Add($"line {lineNo}: keys {string.Join(",", keys)}");
            }

            var id = root.GetProperty("custom_id");
            if (id.ValueKind != JsonValueKind.String || id.GetString()!.Length == 0 || !ids.Add(id.GetString()!))
            {
                problems.Add($"line {lineNo}: custom_id missing, empty or repeated");
            }

            if (root.GetProperty("method").GetString() != "POST")
            {
                problems.Add($"line {lineNo}: method");
            }

            if (root.GetProperty("url").GetString() != expectedUrl)
            {
                problems.Add($"line {lineNo}: url");
            }

            var body = root.GetProperty("body");
            if (!body.TryGetProperty("model", out var model) || model.ValueKind != JsonValueKind.String)
            {
                problems.Add($"line {lineNo}: body.model");
            }
            else
            {
                models.Add(model.GetString()!);
            }

            var messages = body.GetProperty("messages");
            if (messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
            {
                problems.Add($"line {lineNo}: body.messages");
            }
            else
            {
                foreach (var m in messages.EnumerateArray())
                {
                    var role = m.GetProperty("role").GetString();
                    if (role is not ("system" or "user" or "assistant") || m.GetProperty("content").ValueKind != JsonValueKind.String)
                    {
                        problems.Add($"line {lineNo}: message role/content");
                    }
                }
            }

            if (body.TryGetProperty("n", out var n) && n.GetInt32() < 1)
            {
                problems.Add($"line {lineNo}: n");
            }

            if (body.TryGetProperty("temperature", out var t) && t.GetDouble() is < 0 or > 2)
            {
                problems.Add($"line {lineNo}: temperature");
            }

            if (body.TryGetProperty("max_tokens", out var mt) && mt.GetInt32() < 1)
            {
                problems.Add($"line {lineNo}: max_tokens");
            }
        }

        if (lineNo > 50_000)
        {
            problems.Add("more than 50,000 requests");
        }

        if (models.Count > 1)
        {
            problems.Add("more than one model in a file");
        }

        return problems;
    }
}
