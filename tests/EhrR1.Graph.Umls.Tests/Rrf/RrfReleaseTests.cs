using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Rrf;

namespace EhrR1.Graph.Umls.Tests.Rrf;

public sealed class RrfReleaseTests
{
    private static string Fixtures => TestPaths.Dataset("umls-format-fixtures");

    [RequiresDataFact("umls-format-fixtures")]
    public async Task Should_ReadEveryAtomWithItsColumns_When_ReadingTheFixtureMrconso()
    {
        // Given
        var release = await RrfRelease.OpenAsync(Fixtures, CancellationToken.None);
        var lines = File.ReadAllLines(Path.Combine(Fixtures, "MRCONSO.RRF")).Where(l => l.Length > 0).ToList();

        // When
        var atoms = new List<ConceptAtom>();
        await foreach (var a in release.ReadConceptsAsync(null, CancellationToken.None))
        {
            atoms.Add(a);
        }

        // Then
        atoms.Should().HaveCount(lines.Count);
        for (var i = 0; i < lines.Count; i++)
        {
            var f = lines[i].Split('|');
            atoms[i].Cui.Should().Be(f[0]);
            atoms[i].Lat.Should().Be(f[1]);
            atoms[i].Sab.Should().Be(f[11]);
            atoms[i].Str.Should().Be(f[14]);
            atoms[i].Suppress.Should().Be(f[16]);
            atoms[i].IsPreferred.Should().Be(f[2] == "P" && f[4] == "PF" && f[6] == "Y");
        }

        atoms.Select(a => a.Cui).Distinct().Should().Equal("C0000005", "C0000039");
        atoms.Where(a => a.IsPreferred).Select(a => a.Str).Should().Equal("(131)I-Macroaggregated Albumin");
    }

    [RequiresDataFact("umls-format-fixtures")]
    public async Task Should_ReadSemanticTypesDefinitionsAndInventory_When_ReadingTheFixtures()
    {
        // Given
        var release = await RrfRelease.OpenAsync(Fixtures, CancellationToken.None);

        // When
        var types = new List<SemanticTypeRow>();
        await foreach (var t in release.ReadSemanticTypesAsync(CancellationToken.None))
        {
            types.Add(t);
        }

        var defs = new List<DefinitionRow>();
        await foreach (var d in release.ReadDefinitionsAsync(CancellationToken.None))
        {
            defs.Add(d);
        }

        // Then
        types.Should().Contain(new SemanticTypeRow("C0000039", "T121", "A1.4.1.1.1", "Pharmacologic Substance", "AT17567371", "256"));
        types.Should().HaveCount(File.ReadAllLines(Path.Combine(Fixtures, "MRSTY.RRF")).Count(l => l.Length > 0));
        defs.Should().NotBeEmpty();
        defs[0].Cui.Should().Be("C0000039");
        defs[0].Sab.Should().Be("MSH");
        release.Inventory.Should().HaveCount(50);
        var conso = release.Inventory.Single(f => f.File == "MRCONSO.RRF");
        conso.Columns.Should().Equal(RrfLayout.Mrconso);
        conso.Rows.Should().BeGreaterThan(1_000_000);
    }

    [RequiresDataFact("umls-format-fixtures")]
    public async Task Should_KeepOnlyRequestedSources_When_FilteringBySab()
    {
        // Given
        var release = await RrfRelease.OpenAsync(Fixtures, CancellationToken.None);
        var exclude = new RrfFilterSettings { ExcludeSources = new HashSet<string>(StringComparer.Ordinal) { "MSH" } };
        var include = new RrfFilterSettings { IncludeSources = new HashSet<string>(StringComparer.Ordinal) { "MSH" }, Languages = new HashSet<string>(StringComparer.Ordinal) };
        var all = 0;
        await foreach (var a in release.ReadConceptsAsync(new RrfFilterSettings(), CancellationToken.None))
        {
            all++;
        }

        // When
        var excluded = 0;
        await foreach (var a in release.ReadConceptsAsync(exclude, CancellationToken.None))
        {
            excluded++;
        }

        var included = 0;
        await foreach (var a in release.ReadConceptsAsync(include, CancellationToken.None))
        {
            included++;
        }

        // Then: every fixture atom is an English MSH atom
        all.Should().Be(3);
        excluded.Should().Be(0);
        included.Should().Be(3);
    }

    [Fact]
    public async Task Should_NameFileAndLine_When_ALineHasTooFewFields()
    {
        // Given
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("MRSTY.RRF"), "C0000005|T116|A1.4.1.2.1.7|Amino Acid, Peptide, or Protein|AT17648347|256|\nC0000039|T109|A1.4.1.2.1|secret text|\n");
        var release = await RrfRelease.OpenAsync(dir.Path, CancellationToken.None);

        // When
        var act = async () =>
        {
            await foreach (var _ in release.ReadSemanticTypesAsync(CancellationToken.None))
            {
            }
        };

        // Then
        var error = (await act.Should().ThrowAsync<InputDataException>()).Which;
        error.File.Should().Be("MRSTY.RRF");
        error.LineNumber.Should().Be(2);
        error.Message.Should().Be("MRSTY.RRF:2: malformed RRF line. Expected 6 pipe-separated fields, each followed by '|' (the line ends with '|'). Found 4 fields. Re-extract the file from the release (MetamorphoSys or the NLM download); a truncated or edited file cannot be read.");
        error.Message.Should().NotContain("secret");
    }

    [Fact]
    public async Task Should_Fail_When_TheTrailingPipeIsMissing()
    {
        // Given
        using var dir = new TempDirectory();
        File.WriteAllText(dir.Combine("MRSTY.RRF"), "C0000005|T116|A1|Amino|AT1|256\n");
        var release = await RrfRelease.OpenAsync(dir.Path, CancellationToken.None);

        // When
        var act = async () =>
        {
            await foreach (var _ in release.ReadSemanticTypesAsync(CancellationToken.None))
            {
            }
        };

        // Then
        (await act.Should().ThrowAsync<InputDataException>()).Which.Message.Should().Contain("no trailing '|'").And.Contain("MRSTY.RRF:1");
    }
}
