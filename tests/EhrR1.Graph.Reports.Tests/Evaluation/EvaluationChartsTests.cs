using System.Buffers.Binary;
using EhrR1.Graph.Reports.Evaluation;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reports.Tests.Evaluation;

public sealed class EvaluationChartsTests
{
    [Fact]
    public void Should_WritePngAndSvg_When_SavingRocCurves()
    {
        using var dir = new TempDirectory();
        var files = EvaluationCharts.SaveRoc(
            "ROC: ICU_Mortality_1day",
            [
                new RocSeries("model A", [0, 0, 0.5, 1], [0, 0.5, 1, 1], 0.875),
                new RocSeries("model B", [0, 0.5, 1], [0, 0.5, 1], 0.5),
            ],
            dir.Combine("plots", "roc-icu"));

        files.Should().Equal(dir.Combine("plots", "roc-icu.png"), dir.Combine("plots", "roc-icu.svg"));
        PngSize(files[0]).Should().Be((EvaluationCharts.Width, EvaluationCharts.Width));
        File.ReadAllText(files[1]).Should().Contain("<svg");
        Directory.GetFiles(dir.Combine("plots")).Should().HaveCount(2, "no temporary files are left behind");
    }

    [Fact]
    public void Should_WidenTheImageAndSkipMissingValues_When_SavingGroupedBars()
    {
        using var dir = new TempDirectory();
        var categories = Enumerable.Range(0, 40).Select(i => "task_" + i).ToList();
        var a = new BarSeries("A", categories.Select((_, i) => (double?)(i % 10 / 10.0)).ToList(), categories.Select(_ => (double?)0.1).ToList(), categories.Select(_ => (double?)0.2).ToList());
        var b = new BarSeries("B", categories.Select((_, i) => i == 3 ? null : (double?)0.5).ToList(), categories.Select(_ => (double?)null).ToList(), categories.Select(_ => (double?)null).ToList());
        var files = EvaluationCharts.SaveBars("comparison", "primary metric", categories, [a, b], dir.Combine("bars"));

        var (width, height) = PngSize(files[0]);
        width.Should().BeGreaterThan(EvaluationCharts.Width);
        height.Should().Be(EvaluationCharts.Height);
        new FileInfo(files[1]).Length.Should().BeGreaterThan(1000);
    }

    private static (int Width, int Height) PngSize(string path)
    {
        var bytes = File.ReadAllBytes(path);
        bytes.AsSpan(0, 8).ToArray().Should().Equal(0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A);
        return (BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(16, 4)), BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(20, 4)));
    }
}
