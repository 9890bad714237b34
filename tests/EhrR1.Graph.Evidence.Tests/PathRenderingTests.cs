using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Stage;

namespace EhrR1.Graph.Evidence.Tests;

public sealed class PathRenderingTests
{
    private static readonly EvidencePath Path = new(
        "Hypokalemia",
        "Potassium Chloride",
        [new("C0020621", "Hypokalemia"), new("C0032821", "Potassium"), new("C0032825", "Potassium Chloride")],
        [new("may_be_treated_by", "forward"), new("ingredient_of", "reverse")],
        false);

    [Fact]
    public void Should_ShowLabelAndDirection_When_RenderedWithArrows()
    {
        PathRendering.Arrow(Path).Should().Be("Hypokalemia —[may_be_treated_by]→ Potassium ←[ingredient_of]— Potassium Chloride");
    }

    [Fact]
    public void Should_MatchPythonListRepr_When_RenderedInUpstreamFormat()
    {
        var withQuote = Path with { History = "Crohn's disease" };
        PathRendering.Python(withQuote).Should().Be("['Hypokalemia', 'may_be_treated_by', 'Potassium', 'ingredient_of', \"Crohn's disease\"]");
    }
}
