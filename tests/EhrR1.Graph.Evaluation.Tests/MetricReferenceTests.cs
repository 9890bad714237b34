using System.Text.Json;
using EhrR1.Graph.Evaluation.Metrics;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Evaluation.Tests;

/// <summary>
/// Metric functions against values computed independently by scikit-learn / numpy / NLTK
/// (tests/TestData/evaluation/make_metric_reference.py wrote metric-reference.json).
/// </summary>
public sealed class MetricReferenceTests
{
    private static readonly JsonElement Reference = LoadReference();

    public static TheoryData<string> BinaryCases()
    {
        var data = new TheoryData<string>();
        foreach (var c in Reference.GetProperty("binary").EnumerateArray())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(BinaryCases))]
    public void Should_MatchScikitLearn_When_ComputingAurocRocBrierEceAndAccuracy(string name)
    {
        var c = Reference.GetProperty("binary").EnumerateArray().Single(x => x.GetProperty("name").GetString() == name);
        var y = c.GetProperty("y").EnumerateArray().Select(v => v.GetInt32() == 1).ToList();
        var p = c.GetProperty("p").EnumerateArray().Select(v => v.GetDouble()).ToList();

        RocAnalysis.Auroc(p, y).Should().BeApproximately(c.GetProperty("auroc").GetDouble(), 1e-12);
        Calibration.Brier(p, y).Should().BeApproximately(c.GetProperty("brier").GetDouble(), 1e-12);
        Calibration.ExpectedCalibrationError(p, y, 10).Should().BeApproximately(c.GetProperty("ece_10").GetDouble(), 1e-12);
        var accuracy = p.Zip(y).Average(t => t.First >= 0.5 == t.Second ? 1.0 : 0.0);
        accuracy.Should().BeApproximately(c.GetProperty("accuracy_at_0_5").GetDouble(), 1e-12);

        var curve = RocAnalysis.Curve(p, y);
        curve.Select(q => q.FalsePositiveRate).Should().Equal(
            c.GetProperty("roc_fpr").EnumerateArray().Select(v => v.GetDouble()), (a, b) => Math.Abs(a - b) < 1e-12);
        curve.Select(q => q.TruePositiveRate).Should().Equal(
            c.GetProperty("roc_tpr").EnumerateArray().Select(v => v.GetDouble()), (a, b) => Math.Abs(a - b) < 1e-12);
    }

    [Fact]
    public void Should_MatchScikitLearnSamplesAverage_When_ScoringLabelSets()
    {
        var scores = new List<SetScore>();
        foreach (var c in Reference.GetProperty("sets").EnumerateArray())
        {
            var s = SetMetrics.Score(Strings(c.GetProperty("pred")), Strings(c.GetProperty("gold")));
            s.Precision.Should().BeApproximately(c.GetProperty("precision").GetDouble(), 1e-12);
            s.Recall.Should().BeApproximately(c.GetProperty("recall").GetDouble(), 1e-12);
            s.F1.Should().BeApproximately(c.GetProperty("f1").GetDouble(), 1e-12);
            scores.Add(s);
        }

        var mean = Reference.GetProperty("set_mean");
        scores.Average(s => s.Precision).Should().BeApproximately(mean.GetProperty("precision").GetDouble(), 1e-12);
        scores.Average(s => s.Recall).Should().BeApproximately(mean.GetProperty("recall").GetDouble(), 1e-12);
        scores.Average(s => s.F1).Should().BeApproximately(mean.GetProperty("f1").GetDouble(), 1e-12);
    }

    [Fact]
    public void Should_MatchNltkOriginalPorter_When_StemmingWords()
    {
        var stems = Reference.GetProperty("porter_original");
        var mismatches = stems.EnumerateObject()
            .Where(p => PorterStemmer.Stem(p.Name) != p.Value.GetString())
            .Select(p => p.Name + ": expected " + p.Value.GetString() + ", got " + PorterStemmer.Stem(p.Name))
            .ToList();
        mismatches.Should().BeEmpty();
        stems.EnumerateObject().Count().Should().BeGreaterThan(100);
    }

    [Fact]
    public void Should_MatchReferenceRouge1_When_ScoringTexts()
    {
        foreach (var c in Reference.GetProperty("rouge1").EnumerateArray())
        {
            var s = Rouge1.Score(c.GetProperty("pred").GetString()!, c.GetProperty("ref").GetString()!);
            s.Precision.Should().BeApproximately(c.GetProperty("precision").GetDouble(), 1e-12);
            s.Recall.Should().BeApproximately(c.GetProperty("recall").GetDouble(), 1e-12);
            s.F.Should().BeApproximately(c.GetProperty("f").GetDouble(), 1e-12);
        }
    }

    private static List<string> Strings(JsonElement e) => e.EnumerateArray().Select(v => v.GetString()!).ToList();

    private static JsonElement LoadReference()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(TestPaths.TestData("evaluation", "metric-reference.json")));
        return doc.RootElement.Clone();
    }
}
