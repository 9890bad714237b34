using EhrR1.Graph.Core.Text;

namespace EhrR1.Graph.Core.Tests;

public sealed class PythonTextTests
{
    [Theory]
    [InlineData("anchor_age", "Anchor_Age")]
    [InlineData("ATC Type", "Atc Type")]
    [InlineData("CCS Type", "Ccs Type")]
    [InlineData("o2sat", "O2Sat")]
    [InlineData("ref_range_lower", "Ref_Range_Lower")]
    [InlineData("admission_info", "Admission_Info")]
    [InlineData("they're", "They'Re")]
    [InlineData("", "")]
    public void Should_match_python_str_title(string input, string expected)
    {
        PythonText.Title(input).Should().Be(expected);
    }

    [Theory]
    [InlineData("Hypokalemia", "'Hypokalemia'")]
    [InlineData("it's", "\"it's\"")]
    [InlineData("say \"x\" it's", "'say \"x\" it\\'s'")]
    [InlineData("a\nb\\c", "'a\\nb\\\\c'")]
    public void Should_match_python_repr(string input, string expected)
    {
        PythonText.Repr(input).Should().Be(expected);
    }

    [Fact]
    public void Should_render_list_repr_like_python()
    {
        PythonText.ReprList(["Hypokalemia", "may_be_treated_by", "Potassium Chloride"])
            .Should().Be("['Hypokalemia', 'may_be_treated_by', 'Potassium Chloride']");
    }
}
