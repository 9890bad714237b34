using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Tests.Support;

namespace EhrR1.Graph.Umls.Tests.Matching;

public sealed class UmlsResolverTests : IClassFixture<UmlsResolverTests.Fixture>
{
    private readonly Fixture _fixture;

    public UmlsResolverTests(Fixture fixture) => _fixture = fixture;

    public sealed class Fixture : IDisposable
    {
        private readonly TempDirectory _dir = new();

        public Fixture()
        {
            TinyVocabulary.WriteRrf(_dir.Combine("rrf"),
            [
                // "Furosemide" names two concepts: one atom on the lower CUI, two atoms on the other.
                new("C0000010", "furosemide 10 MG/ML Injection", true, "T200"),
                new("C0000010", "Furosemide", false, "T200"),
                new("C0000011", "furosemide 20 MG Oral Tablet", true, "T200"),
                new("C0000011", "Furosemide", false, "T200"),
                new("C0000011", "FUROSEMIDE", false, "T200"),
                new("C0000012", "Acetaminophen", true, "T121"),
                new("C0000013", "Sodium Chloride", true, "T121"),
            ]);
            TinyVocabulary.BuildIndexAsync(_dir.Combine("rrf"), _dir.Combine("index"), minLength: 3).GetAwaiter().GetResult();
            Index = UmlsIndex.Open(_dir.Combine("index"));
        }

        internal UmlsIndex Index { get; }

        public void Dispose()
        {
            Index.Dispose();
            _dir.Dispose();
        }
    }

    [Fact]
    public void Should_PickTheConceptWithMoreAtoms_When_AnExactNameIsAmbiguous()
    {
        // Given
        using var resolver = new UmlsResolver(_fixture.Index);

        // When
        var result = resolver.Resolve("Furosemide");

        // Then
        result.Should().BeEquivalentTo(new { Cui = "C0000011", Method = "exact" });
    }

    [Theory]
    [InlineData("Acetaminophen 500mg Tablet", "C0000012")]
    [InlineData("Sodium Chloride 0.9%  Flush", "C0000013")]
    [InlineData("Acetaminophen (Tylenol) PO", "C0000012")]
    public void Should_ResolveTheReducedForm_When_ADrugOrderStringHasNoExactMatch(string term, string cui)
    {
        // Given
        using var resolver = new UmlsResolver(_fixture.Index);

        // When
        var result = resolver.Resolve(term);

        // Then
        result.Should().BeEquivalentTo(new { Cui = cui, Method = "exact_reduced", Score = 1.0 });
    }

    [Theory]
    [InlineData("sodium chloride 0.9%  flush", "sodium chloride")]
    [InlineData("tramadol (ultram)", "tramadol")]
    [InlineData("epinephrine 1:1000", "epinephrine")]
    [InlineData("albumin 5% (25g / 500ml)", "albumin")]
    [InlineData("aspirin ec 81 mg oral tablet", "aspirin")]
    [InlineData("mg 500", "")]
    [InlineData("acute kidney failure", "acute kidney failure")]
    public void Should_DropStrengthsUnitsFormsAndRoutes_When_ReducingATerm(string term, string expected)
    {
        // When
        var reduced = TermReducer.Reduce(term);

        // Then
        reduced.Should().Be(expected);
    }
}
