using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Cli.Run;

/// <summary>
/// <c>run.json</c>: per-step option overrides and switches, e.g.
/// <code>{ "steps": { "tasks-sample-train": { "seed": 7, "force-task-num": 50 }, "train-domain": { "enabled": false } } }</code>
/// Each key becomes <c>--key value</c> on that step's command (true → a bare flag, false → left out);
/// <c>enabled: false</c> leaves the step out. <c>force-task-num</c> is the cap on samples per task of
/// <c>tasks sample</c>. <see cref="RunConfigValidator"/> checks every key against its step's command before
/// the first step runs. Secrets are never read from this file.
/// </summary>
internal sealed class RunConfig
{
    private readonly Dictionary<string, Dictionary<string, JsonElement>> _steps = new(StringComparer.Ordinal);

    public static RunConfig Empty { get; } = new();

    /// <summary>The file the settings were read from; null for <see cref="Empty"/>.</summary>
    public string? FilePath { get; private init; }

    public static RunConfig Load(string path)
    {
        var config = new RunConfig { FilePath = path };
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        }
        catch (JsonException ex)
        {
            throw new InputDataException("EHR-RUN-001", path, ex.LineNumber + 1, ex.Path, "run.json is not valid JSON", expected: "{\"steps\": {\"step-name\": {\"option\": value}}}", innerException: ex);
        }

        using (doc)
        {
            if (!doc.RootElement.TryGetProperty("steps", out var steps) || steps.ValueKind != JsonValueKind.Object)
            {
                throw new InputDataException("EHR-RUN-002", path, null, "steps", "run.json has no \"steps\" object", expected: "{\"steps\": {\"step-name\": {\"option\": value}}}");
            }

            foreach (var step in steps.EnumerateObject())
            {
                if (step.Value.ValueKind != JsonValueKind.Object)
                {
                    throw new InputDataException("EHR-RUN-003", path, null, "steps." + step.Name, "a step's settings must be an object", found: step.Value.ValueKind.ToString());
                }

                config._steps[step.Name] = step.Value.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone(), StringComparer.Ordinal);
            }
        }

        return config;
    }

    public IEnumerable<string> StepNames => _steps.Keys;

    /// <summary>
    /// This configuration with the section of a renamed step (<paramref name="oldName"/>) read as <paramref name="newName"/>'s;
    /// when both are given, the new name's settings win.
    /// </summary>
    public RunConfig Renamed(string oldName, string newName)
    {
        if (!_steps.TryGetValue(oldName, out var old))
        {
            return this;
        }

        var renamed = new RunConfig { FilePath = FilePath };
        foreach (var (name, settings) in _steps)
        {
            if (!string.Equals(name, oldName, StringComparison.Ordinal))
            {
                renamed._steps[name] = settings;
            }
        }

        var merged = new Dictionary<string, JsonElement>(old, StringComparer.Ordinal);
        if (_steps.TryGetValue(newName, out var current))
        {
            foreach (var (key, value) in current)
            {
                merged[key] = value;
            }
        }

        renamed._steps[newName] = merged;
        return renamed;
    }

    /// <summary>The option overrides of <paramref name="step"/> as written in the file, <c>enabled</c> left out.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonElement>> Overrides(string step) =>
        _steps.TryGetValue(step, out var s)
            ? [.. s.Where(kv => !string.Equals(kv.Key, "enabled", StringComparison.Ordinal))]
            : [];

    public bool IsEnabled(string step, bool defaultValue) =>
        _steps.TryGetValue(step, out var s) && s.TryGetValue("enabled", out var e) && e.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? e.GetBoolean()
            : defaultValue;

    /// <summary>Applies the overrides of <paramref name="step"/> to <paramref name="arguments"/> (an override replaces an existing option).</summary>
    public IReadOnlyList<string> Apply(string step, IReadOnlyList<string> arguments)
    {
        if (!_steps.TryGetValue(step, out var overrides))
        {
            return arguments;
        }

        var args = arguments.ToList();
        foreach (var (key, value) in overrides)
        {
            if (string.Equals(key, "enabled", StringComparison.Ordinal))
            {
                continue;
            }

            var option = "--" + key;
            var at = args.IndexOf(option);
            if (at >= 0)
            {
                var end = at + 1;
                while (end < args.Count && !args[end].StartsWith("--", StringComparison.Ordinal))
                {
                    end++;
                }

                args.RemoveRange(at, end - at);
            }

            switch (value.ValueKind)
            {
                case JsonValueKind.True:
                    args.Add(option);
                    break;
                case JsonValueKind.False:
                case JsonValueKind.Null:
                    break;
                case JsonValueKind.Array:
                    args.Add(option);
                    args.AddRange(value.EnumerateArray().Select(Scalar));
                    break;
                default:
                    args.Add(option);
                    args.Add(Scalar(value));
                    break;
            }
        }

        return args;
    }

    private static string Scalar(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.String => e.GetString()!,
        JsonValueKind.Number => e.GetRawText(),
        JsonValueKind.True => "true",
        JsonValueKind.False => "false",
        _ => e.GetRawText(),
    } is var s ? s.ToString(CultureInfo.InvariantCulture) : string.Empty;
}
