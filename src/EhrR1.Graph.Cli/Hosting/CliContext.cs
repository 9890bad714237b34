using EhrR1.Graph.Core.Pipeline;
using Microsoft.Extensions.Logging;

namespace EhrR1.Graph.Cli.Hosting;

/// <summary>What every command needs: the result writer (stdout), the log writer (stderr), logging and progress.</summary>
internal sealed class CliContext(TextWriter output, TextWriter error, bool errorIsTerminal)
{
    public TextWriter Output { get; } = output;

    public TextWriter Error { get; } = error;

    public bool ErrorIsTerminal { get; } = errorIsTerminal;

    public LogLevel MinimumLevel { get; set; } = LogLevel.Information;

    public ILoggerFactory CreateLoggerFactory() =>
        LoggerFactory.Create(b => b.SetMinimumLevel(MinimumLevel).AddProvider(new TextWriterLoggerProvider(Error, MinimumLevel)));

    /// <summary>A progress sink: a live bar on a terminal, periodic plain lines otherwise.</summary>
    public ProgressReporter CreateProgress(string title) => new(Error, ErrorIsTerminal, title);

    /// <summary>
    /// Runs a stage through <see cref="StageRunner"/> with a progress sink titled with the stage's name. The settings are
    /// checked once before the progress display starts, so a bad option never shows up under a progress bar.
    /// </summary>
    public Task<StageReport> RunStageAsync<TSettings>(IStage<TSettings> stage, TSettings settings, CancellationToken cancellationToken)
        where TSettings : IStageSettings
    {
        StageRunner.Check(settings);
        return CreateProgress(settings.StageName).RunAsync(progress => StageRunner.RunAsync(stage, settings, progress, cancellationToken));
    }

    /// <summary>Writes a stage report to stdout as JSON.</summary>
    public void WriteReport(StageReport report) =>
        Output.WriteLine(System.Text.Json.JsonSerializer.Serialize(report, Core.IO.JsonDefaults.Indented));
}
