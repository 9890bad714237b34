using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Reasoning.Prompts;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Reasoning.Tests.Prompts;

public sealed class PromptTemplateTests
{
    [Theory]
    [InlineData("with-graph", "reasoning-with-graph@v1", true)]
    [InlineData("without-graph", "reasoning-without-graph@v1", false)]
    [InlineData("free-form", "reasoning-free-form@v1", false)]
    public void Should_LoadEmbeddedTemplate_When_VariantIsNamed(string variant, string id, bool usesKnowledge)
    {
        var t = PromptLibrary.Resolve(variant, null);

        t.Id.Should().Be(id);
        t.UsesKnowledge.Should().Be(usesKnowledge);
    }

    [Fact]
    public void Should_MatchRepositoryFiles_When_LoadedFromFolder()
    {
        var fromFolder = PromptLibrary.LoadAll(Path.Combine(TestPaths.RepoRoot, "prompts"));
        var embedded = PromptLibrary.LoadAll(null);

        fromFolder.Select(t => (t.Id, t.Sha256)).Should().BeEquivalentTo(embedded.Select(t => (t.Id, t.Sha256)));
    }

    [Theory]
    [InlineData("with-graph")]
    [InlineData("without-graph")]
    public void Should_StateTheSectionContract_When_StructuredTemplate(string variant)
    {
        var text = PromptLibrary.Resolve(variant, null).Text;

        text.Should().Contain("## Extraction").And.Contain("## Reasoning").And.Contain("## Final Results");
        text.Should().Contain("**Event Name [Event Time]**");
        text.Should().Contain("ground truth", "the template forbids the phrase explicitly");
    }

    [Fact]
    public void Should_InsertValuesVerbatim_When_ValueContainsBraces()
    {
        var t = PromptTemplate.Parse("---\nid: x@v1\n---\nA {{context}} B {{labels}} C {{task}}", "test");

        var text = t.Render(new Dictionary<string, string> { ["context"] = "{{task}}", ["labels"] = "L", ["task"] = "T", ["knowledge"] = string.Empty });

        text.Should().Be("A {{task}} B L C T");
    }

    [Fact]
    public void Should_Fail_When_PlaceholderIsUnknown()
    {
        var act = () => PromptTemplate.Parse("---\nid: x@v1\n---\n{{context}} {{labels}} {{task}} {{answer}}", "test");

        act.Should().Throw<StageConfigurationException>().WithMessage("*unknown placeholder {{answer}}*");
    }
}
