using EhrR1.Graph.Trajectories.Model;
using EhrR1.Graph.Trajectories.Rendering;

namespace EhrR1.Graph.Trajectories.Tests;

/// <summary>The <c>--upstream-values</c> text: pandas' parse of a cell printed as Python's repr (issue 22, point 3).</summary>
public sealed class PandasValuesTests
{
    [Theory]
    [InlineData("labevents", "valuenum", "15", "15.0")]
    [InlineData("labevents", "valuenum", "75.282310485839844", "75.28231048583984")]
    [InlineData("labevents", "ref_range_upper", "N/A", "nan")]
    [InlineData("labevents", "comments", "N/A", "nan")]
    [InlineData("labevents", "flag", "abnormal", "abnormal")]
    [InlineData("inputevents", "rate", "6.8274917602539062", "6.827491760253905")] // pandas; correctly rounded: 6.827491760253906
    [InlineData("inputevents", "amount", "3.6317825317382812", "3.631782531738281")] // correctly rounded: 3.6317825317382812
    [InlineData("chartevents", "valuenum", "-0.5", "-0.5")]
    [InlineData("chartevents", "valuenum", "0.00001", "1e-05")]
    [InlineData("chartevents", "valuenum", "0.0001", "0.0001")]
    [InlineData("chartevents", "valuenum", "12345678901234567", "1.2345678901234568e+16")]
    [InlineData("chartevents", "valuenum", "1234567890123456", "1234567890123456.0")]
    [InlineData("chartevents", "valuenum", "2.5e3", "2500.0")]
    [InlineData("outputevents", "value", "200", "200")] // an int64 column in the demo: pandas keeps the whole number
    [InlineData("omr", "result_value", "120/80", "120/80")]
    public void Should_WritePandasText_When_UpstreamValuesAreAsked(string table, string key, string source, string expected) =>
        PandasValues.Format(table, key, source).Should().Be(expected);

    [Fact]
    public void Should_DifferFromCorrectRoundingInTheLastDigit_When_TheSourceHas17SignificantDigits()
    {
        PandasValues.ParseDouble("6.8274917602539062").Should().NotBe(double.Parse("6.8274917602539062", System.Globalization.CultureInfo.InvariantCulture));
        PandasValues.ParseDouble("15").Should().Be(15.0);
        PandasValues.ParseDouble(" 1.5 ").Should().Be(1.5);
        PandasValues.ParseDouble("1.5 mg").Should().BeNull();
        PandasValues.ParseDouble("abc").Should().BeNull();
        PandasValues.PythonRepr(-0.0).Should().Be("-0.0");
        PandasValues.PythonRepr(1e16).Should().Be("1e+16");
        PandasValues.PythonRepr(0.1 + 0.2).Should().Be("0.30000000000000004");
    }

    [Fact]
    public void Should_KeepTheSourceTextByDefault_When_RenderingALabTable()
    {
        var rows = new[]
        {
            new EventItem(["item_name", "valuenum", "valueuom", "ref_range_lower", "ref_range_upper", "flag", "comments"], ["Glucose", "15", "mg/dL", null, "75.282310485839844", null, "N/A"]),
            new EventItem(["item_name", "valuenum", "valueuom", "ref_range_lower", "ref_range_upper", "flag", "comments"], ["Sodium", "140.5", "mEq/L", "135", "145", null, null]),
        };
        var ev = new EhrEvent("labevents", new DateTime(2180, 1, 1, 9, 0, 0), null, 1, rows);

        EventRenderer.Render(ev).Should().EndWith("| Glucose | 15 | mg/dL | nan | 75.282310485839844 | nan | N/A |\n| Sodium | 140.5 | mEq/L | 135 | 145 | nan | nan |");
        EventRenderer.RenderUpstreamValues(ev).Should().EndWith("| Glucose | 15.0 | mg/dL | nan | 75.28231048583984 | nan | nan |\n| Sodium | 140.5 | mEq/L | 135.0 | 145.0 | nan | nan |");
    }
}
