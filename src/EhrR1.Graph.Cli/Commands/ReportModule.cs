using System.CommandLine;
using EhrR1.Graph.Cli.Hosting;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Reports.RunReport;

namespace EhrR1.Graph.Cli.Commands;

/// <summary><c>ehr-graph report --run DIR</c>: an HTML report of a run folder.</summary>
internal sealed class ReportModule : ICliModule
{
    public void Register(CommandTree tree, CliContext context)
    {
        var run = new Option<DirectoryInfo>("--run") { Description = "The run folder (written by `ehr-graph run --out`).", Required = true };
        var cmd = new Command("report", "Write report/index.html (counts per stage, attrition and co-occurrence tables, evaluation tables, ROC plots) for a run folder.");
        cmd.Options.Add(run);
        cmd.SetAction((parse, _) =>
        {
            var started = System.Diagnostics.Stopwatch.StartNew();
            var result = RunReportBuilder.Build(parse.GetValue(run)!.FullName);
            context.WriteReport(new StageReport(
                "report",
                started.Elapsed.TotalSeconds,
                new Dictionary<string, long> { ["stages"] = result.Stages, ["figures"] = result.Figures, ["tables"] = result.Tables },
                [result.HtmlPath, result.MarkdownPath]));
            return Task.FromResult(0);
        });
        tree.Root.Subcommands.Add(cmd);
    }
}
