using System.CommandLine;
using System.CommandLine.Help;
using System.Globalization;
using System.Text.Json;

namespace EhrR1.Graph.Cli.Run;

/// <summary>
/// Checks <c>run.json</c> against the commands the steps really run, before the first step starts: every key must be
/// an option of that step's command, and its value must have the option's type (a flag takes true/false, a number
/// a number, a single value no list). A step's whole argument list is then parsed as the step would run it, so an
/// argument the command does not know is caught here and not after the steps before it. All problems are returned
/// together; an empty list means the file is valid.
/// </summary>
internal static class RunConfigValidator
{
    public static IReadOnlyList<string> Validate(RunConfig config, IReadOnlyList<PipelineStep> steps, RootCommand root)
    {
        var file = config.FilePath is null ? "run.json" : Path.GetFileName(config.FilePath);
        var problems = new List<string>();
        foreach (var step in steps)
        {
            var command = Find(root, step.Command);
            if (command is null)
            {
                problems.Add($"step {step.Name}: no command '{string.Join(' ', step.Command)}' (a bug in ehr-graph run).");
                continue;
            }

            var words = string.Join(' ', step.Command);
            var options = OptionsOf(root, command);
            var before = problems.Count;
            // stage 1 also reads the section of the single training step it replaced ("train")
            var sections = string.Equals(step.Name, TrainingCurriculum.Domain, StringComparison.Ordinal) ? new[] { step.Name, TrainingCurriculum.LegacyName } : [step.Name];
            foreach (var (section, key, value) in sections.SelectMany(n => config.Overrides(n).Select(kv => (n, kv.Key, kv.Value))))
            {
                var where = $"{file}: steps.{section}.{key}";
                if (!options.TryGetValue("--" + key, out var option))
                {
                    problems.Add($"{where}: 'ehr-graph {words}' has no option --{key}. Valid options: {string.Join(", ", options.Keys.Where(k => k.StartsWith("--", StringComparison.Ordinal)).Order(StringComparer.Ordinal).Select(k => k[2..]))}, enabled.");
                    continue;
                }

                if (CheckValue(option, value) is { } expected)
                {
                    problems.Add($"{where}: expected {expected}; found {Describe(value)}.");
                }
            }

            // The arguments exactly as the step would run them: anything the command does not recognise.
            if (problems.Count == before)
            {
                var parse = root.Parse([.. step.Command, .. step.Arguments]);
                if (parse.UnmatchedTokens.Count > 0)
                {
                    problems.Add($"step {step.Name}: 'ehr-graph {words}' does not recognise {string.Join(" ", parse.UnmatchedTokens.Select(t => "'" + t + "'"))}" + (config.Overrides(step.Name).Count > 0 ? $" (check steps.{step.Name} in {file})." : "."));
                }
            }
        }

        return problems;
    }

    private static Command? Find(Command root, IReadOnlyList<string> words)
    {
        Command? current = root;
        foreach (var word in words)
        {
            current = current?.Subcommands.FirstOrDefault(c => c.Name == word || c.Aliases.Contains(word));
        }

        return current;
    }

    /// <summary>The command's options by every name, plus the recursive options of the root (--verbose, --quiet); not --help or --version.</summary>
    private static Dictionary<string, Option> OptionsOf(Command root, Command command)
    {
        var options = new Dictionary<string, Option>(StringComparer.Ordinal);
        foreach (var o in command.Options.Concat(root.Options.Where(o => o.Recursive)).Where(o => o is not (HelpOption or VersionOption)))
        {
            foreach (var name in o.Aliases.Prepend(o.Name))
            {
                options.TryAdd(name, o);
            }
        }

        return options;
    }

    /// <summary>What the option expects when <paramref name="value"/> does not fit it; null when it fits.</summary>
    private static string? CheckValue(Option option, JsonElement value)
    {
        var type = Nullable.GetUnderlyingType(option.ValueType) ?? option.ValueType;
        if (type == typeof(bool))
        {
            return value.ValueKind is JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null ? null : "true or false (a flag)";
        }

        var many = option.Arity.MaximumNumberOfValues > 1;
        if (value.ValueKind == JsonValueKind.Array)
        {
            if (!many)
            {
                return "a single value, not a list";
            }

            var element = type.IsArray ? type.GetElementType()! : type.IsGenericType ? type.GetGenericArguments()[0] : typeof(string);
            return value.EnumerateArray().Select(v => CheckScalar(element, v)).FirstOrDefault(e => e is not null) is { } e ? "a list of " + e : null;
        }

        if (value.ValueKind is JsonValueKind.Object)
        {
            return many ? "a value or a list of values" : "a single value";
        }

        return value.ValueKind == JsonValueKind.Null ? null : CheckScalar(type.IsArray ? type.GetElementType()! : type, value);
    }

    private static string? CheckScalar(Type type, JsonElement value)
    {
        if (value.ValueKind is JsonValueKind.Object or JsonValueKind.Array)
        {
            return "a plain value";
        }

        var text = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
        var ok = type switch
        {
            _ when type == typeof(int) => int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(long) => long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(double) => double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(float) => float.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ when type == typeof(decimal) => decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out _),
            _ when type.IsEnum => Enum.TryParse(type, text, ignoreCase: true, out _),
            _ => true,
        };
        return ok ? null : type.IsEnum ? "one of " + string.Join(", ", Enum.GetNames(type)) : "a number (" + type.Name + ")";
    }

    private static string Describe(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => "\"" + value.GetString() + "\"",
        JsonValueKind.Array => "a list",
        JsonValueKind.Object => "an object",
        _ => value.GetRawText(),
    };
}
