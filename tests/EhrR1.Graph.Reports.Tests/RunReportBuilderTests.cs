using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Reports.RunReport;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reports.Tests;

public sealed class RunReportBuilderTests
{
    [Fact]
    public void Should_report_every_stage_with_counts_tables_and_charts_When_run_folder_has_outputs()
    {
        // Given
        using var tmp = new TempDirectory();
        new RunManifest { Stage = "ingest", Counts = new Dictionary<string, long> { ["patients"] = 100, ["events"] = 5000 }, ElapsedSeconds = 1.5 }
            .Save(tmp.Combine("store", "manifest.json"));
        new RunManifest { Stage = "evidence search", Counts = new Dictionary<string, long> { ["samples"] = 42 } }
            .Save(tmp.Combine("evidence", "evidence.manifest.json"));
        new RunManifest { Stage = "reason batch prepare", Counts = new Dictionary<string, long> { ["requests"] = 550 } }
            .Save(tmp.Combine("reasoning", "manifest.prepare.json"));
        File.WriteAllText(tmp.Combine("reasoning", "estimate.json"), "{\"requests\": 550}");
        File.WriteAllText(tmp.Combine("evidence", "attrition.md"), "# Attrition\n\n| task | samples | graph |\n|---|---:|---:|\n| labevents | 10 | 3 |\n");
        File.WriteAllText(tmp.Combine("evidence", "attrition.svg"), "<?xml version=\"1.0\"?><svg xmlns=\"http://www.w3.org/2000/svg\"><text>attrition-chart</text></svg>");
        File.WriteAllBytes(tmp.Combine("evidence", "attrition.png"), [0x89, 0x50, 0x4E, 0x47]);

        // When
        var result = RunReportBuilder.Build(tmp.Path);

        // Then
        var html = File.ReadAllText(result.HtmlPath);
        result.Stages.Should().Be(3, "three stage folders: store, evidence, reasoning");
        result.Figures.Should().Be(1, "the PNG twin of an SVG chart is not repeated");
        result.Tables.Should().Be(1);
        html.Should().Contain("patients").And.Contain("100").And.Contain("5,000");
        html.Should().Contain("<td>labevents</td>");
        html.Should().Contain("attrition-chart");
        html.IndexOf("id=\"store\"", StringComparison.Ordinal).Should().BeLessThan(html.IndexOf("id=\"evidence\"", StringComparison.Ordinal));
        File.ReadAllText(result.MarkdownPath).Should().Contain("| store | ingest (store/manifest.json) | 1.5 | patients=100, events=5,000 |")
            .And.Contain("reason batch prepare (reasoning/manifest.prepare.json)").And.Contain("requests=550");
    }

    [Fact]
    public void Should_fail_with_a_clear_message_When_run_folder_is_missing()
    {
        var act = () => RunReportBuilder.Build(Path.Combine(Path.GetTempPath(), "no-such-run-" + Guid.NewGuid().ToString("N")));
        act.Should().Throw<Core.Errors.StageConfigurationException>().WithMessage("*does not exist*ehr-graph run*");
    }
}

public sealed class TrainingCurveChartTests
{
    [Fact]
    public void Save_WritesPngAndSvgWithBothSeries()
    {
        using var dir = new EhrR1.Graph.TestSupport.TempDirectory();
        var steps = Enumerable.Range(1, 30).Select(i => (i, 10.0 - (i * 0.1), i % 10 == 0 ? (double?)(9.5 - (i * 0.05)) : null)).ToList();
        var files = EhrR1.Graph.Reports.TrainingCurveChart.Save(steps, dir.Combine("training-curve"));
        files.Should().HaveCount(2);
        File.ReadAllBytes(dir.Combine("training-curve.png")).Take(4).Should().Equal(0x89, (byte)'P', (byte)'N', (byte)'G');
        var svg = File.ReadAllText(dir.Combine("training-curve.svg"));
        svg.Should().Contain("training loss").And.Contain("evaluation loss");
        Directory.GetFiles(dir.Path).Should().HaveCount(2, "no temporary file is left behind");
    }

    [Fact]
    public void Save_NoSteps_WritesNothing()
    {
        using var dir = new EhrR1.Graph.TestSupport.TempDirectory();
        EhrR1.Graph.Reports.TrainingCurveChart.Save([], dir.Combine("training-curve")).Should().BeEmpty();
        Directory.GetFiles(dir.Path).Should().BeEmpty();
    }
}
