using System.CommandLine;
using EhrR1.Graph.Cli.Hosting;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>One name per idea across commands; the old names still parse, as aliases of the new ones.</summary>
public sealed class OptionNamesTests
{
    private static readonly RootCommand Root = CliApp.BuildRoot(new CliContext(TextWriter.Null, TextWriter.Null, false));

    [Theory]
    [InlineData("graph cooccur", "--threads", "--parallelism")]
    [InlineData("ingest", "--threads", "--workers")]
    [InlineData("tasks export", "--threads", "--workers")]
    [InlineData("graph build", "--cooccurrence", "--cooccur")]
    [InlineData("graph load", "--concurrency", "--parallel")]
    [InlineData("train", "--restart", "--no-resume")]
    [InlineData("train grpo", "--restart", "--no-resume")]
    public void Should_KeepTheOldName_When_AnOptionWasRenamedToTheSharedOne(string command, string name, string old)
    {
        var cmd = command.Split(' ').Aggregate((Command)Root, (c, word) => c.Subcommands.Single(s => s.Name == word));
        var option = cmd.Options.Single(o => o.Name == name);
        option.Aliases.Should().Contain(old);
    }

    [Fact]
    public void Should_NameParallelismAndTheCooccurrenceFolderAlike_When_CommandsShareTheIdea()
    {
        // every command with a CPU-parallelism option calls it --threads; every co-occurrence input is --cooccurrence
        var all = new List<Command>();
        void Walk(Command c)
        {
            all.Add(c);
            foreach (var s in c.Subcommands)
            {
                Walk(s);
            }
        }

        Walk(Root);
        var names = all.SelectMany(c => c.Options).Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        names.Should().NotContain(["--parallelism", "--workers", "--cooccur", "--parallel", "--no-resume"]);
        names.Should().Contain(["--threads", "--cooccurrence", "--restart"]);
    }

    [Fact]
    public void Should_StateEachDefaultOnce_When_TheOptionHasADefaultValue()
    {
        // help prints "[default: …]" from the option itself (flags excepted); a description that repeats it drifts from the real value
        var repeated = new List<string>();
        void Walk(Command c, string path)
        {
            foreach (var option in c.Options.Where(o => o.HasDefaultValue && o.ValueType != typeof(bool)))
            {
                if (System.Text.RegularExpressions.Regex.IsMatch(option.Description ?? "", @"[(\[]default\b", System.Text.RegularExpressions.RegexOptions.IgnoreCase))
                {
                    repeated.Add($"{path} {option.Name}: {option.Description}");
                }
            }

            foreach (var s in c.Subcommands)
            {
                Walk(s, $"{path} {s.Name}".Trim());
            }
        }

        Walk(Root, "");
        repeated.Should().BeEmpty(string.Join("\n", repeated));
    }
}
