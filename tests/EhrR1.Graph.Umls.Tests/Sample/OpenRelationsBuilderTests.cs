using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Sample;

namespace EhrR1.Graph.Umls.Tests.Sample;

/// <summary>
/// The open relation sources on small fixtures (tests/TestData/open-relations: each file's header and a few real
/// rows around furosemide), linked to a hand-made core vocabulary.
/// </summary>
public sealed class OpenRelationsBuilderTests
{
    private const string Furosemide = "C0016860"; // RxNorm 4603 via BioPortal
    private const string Hypertension = "C0020538"; // DOID:10763 cross-references it
    private const string Metformin = "C0025598";

    [Fact]
    public async Task Should_LinkEachDefaultSourceWithItsRelaAndSab_When_BuildingFromTheFixtures()
    {
        // Given
        var (builder, sink, counts) = await NewAsync(TestPaths.TestData());

        // When
        await builder.AddDefaultRelationsAsync(CancellationToken.None);

        // Then
        // LabeledIn: RxCUI -> real CUI of the ingredient; disease CUI -> the DO term's concept
        sink.Should().HaveRelation(Hypertension, "RO", Furosemide, ClinicalRelations.MayTreat, ClinicalRelations.LabeledIn);
        sink.Should().HaveRelation(Furosemide, "RO", Hypertension, ClinicalRelations.MayBeTreatedBy, ClinicalRelations.LabeledIn);
        sink.Atoms.Should().Contain(a => a.Cui == Furosemide && a.Sab == "RXNORM" && a.Tty == "IN" && a.Str == "Furosemide");
        sink.Atoms.Should().Contain(a => a.Cui == "C0013604" && a.Sab == ClinicalRelations.LabeledIn && a.Str == "Edema" && a.Tui == "T047");
        counts["labeledin_rows_read"].Should().Be(5);
        counts["labeledin_linked"].Should().Be(3);
        counts["labeledin_linked_combination"].Should().Be(1);
        sink.Should().HaveRelation(Hypertension, "RO", "XRXNORM_10763", ClinicalRelations.MayTreat, ClinicalRelations.LabeledIn);
        counts["labeledin_dropped_malformed_id"].Should().Be(1, "the real file has a 6-digit CUI");
        counts["labeledin_dropped_no_disease_name"].Should().Be(1, "C0155919 has no name in the file, and no other source names it here");

        // PharmacotherapyDB: DM and SYM in, NOT out; DrugBank -> DrugCentral -> RxNorm ingredient
        sink.Should().HaveRelation(Hypertension, "RO", Furosemide, ClinicalRelations.MayTreat, ClinicalRelations.PharmacotherapyDb);
        sink.Should().HaveRelation("XDOID_784", "RO", Furosemide, ClinicalRelations.MayTreat, ClinicalRelations.PharmacotherapyDb);
        sink.Relations.Should().NotContain(r => r.Cui1 == "XDOID_418");
        counts["pharmacotherapydb_linked_dm"].Should().Be(1);
        counts["pharmacotherapydb_linked_sym"].Should().Be(1);
        counts["pharmacotherapydb_dropped_not_indication"].Should().Be(1);

        // DrugCentral indications: DOID first, else the CUI; "Prevention" -> may_prevent; no id -> dropped
        sink.Should().HaveRelation(Hypertension, "RO", Furosemide, ClinicalRelations.MayTreat, ClinicalRelations.DrugCentral);
        sink.Should().HaveRelation("C0021400", "RO", "XDRUGCENTRAL_4868", ClinicalRelations.MayPrevent, ClinicalRelations.DrugCentral);
        sink.Should().HaveRelation("XDRUGCENTRAL_4868", "RO", "C0021400", ClinicalRelations.MayBePreventedBy, ClinicalRelations.DrugCentral);
        counts["drugcentral_indications_dropped_no_disease"].Should().Be(1);
        counts["drugcentral_indications_may_prevent"].Should().Be(1);

        // DrugCentral classes: RELA by class type, class concepts named and typed; ChEBI roles left out
        sink.Should().HaveRelation("XMEDRT_N0000175565", "RO", Metformin, ClinicalRelations.HasEpc, ClinicalRelations.DrugCentral);
        sink.Should().HaveRelation(Metformin, "RO", "XMEDRT_N0000175565", ClinicalRelations.EpcOf, ClinicalRelations.DrugCentral);
        sink.Should().HaveRelation("XMEDRT_N0000007698", "RO", Metformin, ClinicalRelations.HasChemicalStructure, ClinicalRelations.DrugCentral);
        sink.Should().HaveRelation("XMEDRT_N0000175366", "RO", Furosemide, ClinicalRelations.HasPhysiologicEffect, ClinicalRelations.DrugCentral);
        sink.Should().HaveRelation("XMSH_D004232", "RO", Furosemide, ClinicalRelations.HasPharmacologicAction, ClinicalRelations.DrugCentral);
        sink.Relations.Should().Contain(r => r.Rela == ClinicalRelations.HasMechanismOfAction && r.Cui1 == "XMEDRT_N0000000236");
        sink.Atoms.Should().Contain(a => a.Cui == "XMEDRT_N0000175565" && a.Str == "Biguanide [EPC]" && a.Tui == "T121");
        sink.Atoms.Should().Contain(a => a.Cui == "XMSH_D004232" && a.Str == "Diuretics" && a.Sab == "MSH");
        counts["drugcentral_classes_dropped_chebi_role"].Should().Be(1);

        // CCS / CCSR: code classified_as category (RN / RB), category concepts named, typed T185
        sink.Should().HaveRelation("XCCSDX_49", "RN", "XICD9DX_25000", ClinicalRelations.ClassifiedAs, ClinicalRelations.Ccs);
        sink.Should().HaveRelation("XICD9DX_25000", "RB", "XCCSDX_49", ClinicalRelations.Classifies, ClinicalRelations.Ccs);
        sink.Should().HaveRelation("XCCSPX_1", "RN", "XICD9PX_0101", ClinicalRelations.ClassifiedAs, ClinicalRelations.Ccs);
        sink.Should().HaveRelation("XCCSR_DIG001", "RN", "XICD10CM_A000", ClinicalRelations.ClassifiedAs, ClinicalRelations.Ccsr);
        sink.Should().HaveRelation("XCCSR_INF003", "RN", "XICD10CM_A000", ClinicalRelations.ClassifiedAs, ClinicalRelations.Ccsr);
        sink.Atoms.Should().Contain(a => a.Cui == "XCCSDX_49" && a.Str == "DiabMel no c [CCS]" && a.Tui == "T185");
        counts["ccs_dx_dropped_no_category"].Should().Be(1);
        counts["ccs_dx_dropped_no_code"].Should().Be(1, "25002 is not a code of the hand-made vocabulary");
        counts["ccsr_dx_linked"].Should().Be(3);

        // default build: nothing from the opt-in sources
        sink.Relations.Should().NotContain(r => r.Sab == ClinicalRelations.Loinc2Hpo || r.Sab == ClinicalRelations.Medi || r.Sab == ClinicalRelations.Sider);
        builder.Inputs.Should().NotContain(p => p.Contains("medi", StringComparison.Ordinal) || p.Contains("sider4", StringComparison.Ordinal) || p.Contains("loinc2hpo", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Should_LinkMimicProductsToTheirIngredients_When_NamedByRxNormOrByMimic()
    {
        // Given
        var (builder, sink, counts) = await NewAsync(TestPaths.TestData());

        // When
        builder.LinkProduct("XRXNORM_310429", "furosemide 20 MG Oral Tablet", "Furosemide", "00054429725", addMimicAtom: true);
        builder.LinkProduct("XRXNORM_861007", "metformin hydrochloride 500 MG Oral Tablet [Glucophage]", "MetFORMIN (Glucophage)", "00087606010", addMimicAtom: true);
        builder.LinkProduct("XRXNORM_1", "Some Product ...", "Furosemide 40mg Tab", "x", addMimicAtom: false);
        builder.LinkProduct("XRXNORM_2", "unknown thing 5 MG Oral Tablet", "Unknown Thing", "y", addMimicAtom: true);

        // Then
        sink.Should().HaveRelation(Furosemide, "RO", "XRXNORM_310429", ClinicalRelations.HasIngredient, ClinicalRelations.RxNorm);
        sink.Should().HaveRelation("XRXNORM_310429", "RO", Furosemide, ClinicalRelations.IngredientOf, ClinicalRelations.RxNorm);
        sink.Should().HaveRelation(Metformin, "RO", "XRXNORM_861007", ClinicalRelations.HasIngredient, ClinicalRelations.RxNorm);
        sink.Should().HaveRelation(Furosemide, "RO", "XRXNORM_1", ClinicalRelations.HasIngredient, "MIMICRX");
        sink.Atoms.Should().Contain(a => a.Cui == Furosemide && a.Sab == "MIMICRX" && a.Str == "Furosemide" && a.Code == "00054429725", "a drug named by its ingredient resolves to the ingredient");
        sink.Atoms.Should().Contain(a => a.Cui == Metformin && a.Sab == "MIMICRX" && a.Str == "MetFORMIN (Glucophage)");
        counts["rxnorm_map_dropped_no_ingredient"].Should().Be(1);
        OpenRelationsBuilder.IngredientNamesOf("Acetaminophen 325 MG / Oxycodone Hydrochloride 5 MG Oral Tablet").Should().Equal("acetaminophen", "oxycodone hydrochloride");
        OpenRelationsBuilder.IngredientNamesOf("norepinephrine Injection").Should().Equal("norepinephrine");
        OpenRelationsBuilder.IngredientNamesOf("0.5 ML heparin sodium 5000 UNT/ML Prefilled Syringe").Should().Equal("heparin sodium");
        builder.FindIngredient("Furosemide Sodium").Should().Be(new DrugKey("4603", null));
    }

    [Fact]
    public async Task Should_AddRowsOnlyForTheNamedOptInSources_When_TheyAreTurnedOn()
    {
        // Given
        var (builder, sink, counts) = await NewAsync(TestPaths.TestData());
        await builder.AddDefaultRelationsAsync(CancellationToken.None);
        var before = sink.Relations.Count;

        // When
        await builder.AddOptInAsync(RelationSources.Loinc2HpoName, CancellationToken.None);
        await builder.AddOptInAsync(RelationSources.MediName, CancellationToken.None);
        await builder.AddOptInAsync(RelationSources.Sider4Name, CancellationToken.None);

        // Then
        sink.Relations.Count.Should().BeGreaterThan(before);

        // LOINC2HPO: H / L results, N left out; the phenotype is named by HPO and mapped to the disease of that exact name
        sink.Should().HaveRelation("XHPO_0002153", "RO", "XLNC_2823-3", ClinicalRelations.HighResultIndicates, ClinicalRelations.Loinc2Hpo);
        sink.Should().HaveRelation("XLNC_2823-3", "RO", "XHPO_0002153", ClinicalRelations.IndicatedByHighResult, ClinicalRelations.Loinc2Hpo);
        sink.Should().HaveRelation("XHPO_0002900", "RO", "XLNC_2823-3", ClinicalRelations.LowResultIndicates, ClinicalRelations.Loinc2Hpo);
        sink.Should().HaveRelation("XLNC_2823-3", "RO", "XHPO_0002900", ClinicalRelations.IndicatedByLowResult, ClinicalRelations.Loinc2Hpo);
        sink.Should().HaveRelation("C0020461", "RO", "XHPO_0002153", ClinicalRelations.MappedTo, ClinicalRelations.Loinc2Hpo);
        sink.Atoms.Should().Contain(a => a.Cui == "XHPO_0002153" && a.Str == "Hyperkalemia" && a.Tty == "PT");
        sink.Atoms.Should().Contain(a => a.Cui == "XHPO_0002153" && a.Str == "Elevated serum potassium levels" && a.Tty == "SY");
        counts["loinc2hpo_dropped_normal_outcome"].Should().Be(1);
        counts["loinc2hpo_dropped_no_lab"].Should().Be(1, "600-7 is not a lab of the hand-made vocabulary");

        // MEDI: high-precision rows only; ICD-9 code concept first, else the CUI
        sink.Should().HaveRelation("XICD9DX_2766", "RO", Furosemide, ClinicalRelations.MayTreat, ClinicalRelations.Medi);
        sink.Should().HaveRelation("C0268000", "RO", Furosemide, ClinicalRelations.MayTreat, ClinicalRelations.Medi);
        counts["medi_dropped_not_high_precision"].Should().Be(1);

        // SIDER 4: preferred terms only; STITCH -> PubChem -> DrugCentral -> ingredient
        sink.Should().HaveRelation("C0687713", "RO", Furosemide, ClinicalRelations.MayCause, ClinicalRelations.Sider);
        sink.Should().HaveRelation(Furosemide, "RO", "C0687713", ClinicalRelations.CausedBy, ClinicalRelations.Sider);
        counts["sider4_dropped_lowest_level_term"].Should().Be(1);
        counts["sider4_linked"].Should().Be(2);
    }

    [Fact]
    public void Should_RejectUnknownSourceNamesAndStateTerms_When_ParsingTheRelationsOption()
    {
        // When
        var parsed = RelationSources.Parse("SIDER4, medi");
        var unknown = () => RelationSources.Parse("loinc2hpo,hetionet");

        // Then
        parsed.Should().Equal("medi", "sider4");
        RelationSources.Parse(null).Should().BeEmpty();
        unknown.Should().Throw<StageConfigurationException>().WithMessage("*hetionet*loinc2hpo, medi, sider4*");
        RelationSources.All.Where(s => !s.Default).Should().OnlyContain(s => s.Terms.Contains("non-commercial", StringComparison.Ordinal) || s.Terms.Contains("research uses only", StringComparison.Ordinal));
        var settings = OpenVocabularyBuilder.ManifestSettings(new SampleVocabularySettings { DataDirectory = "d", OutputDirectory = "o" }, parsed);
        settings["relations_opt_in"].Should().Be("medi,sider4");
        settings["terms"].Should().StartWith("NON-COMMERCIAL").And.Contain("CC BY-NC-SA 3.0").And.Contain("CC BY-NC-SA 4.0");
        OpenVocabularyBuilder.ManifestSettings(new SampleVocabularySettings { DataDirectory = "d", OutputDirectory = "o" }, [])["relations_opt_in"].Should().Be("none");
    }

    [Fact]
    public async Task Should_NameFileLineAndField_When_ASourceHeaderLacksAColumn()
    {
        // Given: the fixtures with LabeledIn's disease column renamed
        using var dir = new TempDirectory();
        CopyDirectory(TestPaths.TestData(OpenRelationsBuilder.Folder), dir.Combine(OpenRelationsBuilder.Folder));
        var file = dir.Combine(OpenRelationsBuilder.Folder, "labeledin", "data", "indications.tsv");
        File.WriteAllText(file, File.ReadAllText(file).Replace("disease_cui", "disease_id", StringComparison.Ordinal));
        var (builder, _, _) = await NewAsync(dir.Path);

        // When
        var act = () => builder.AddDefaultRelationsAsync(CancellationToken.None);

        // Then
        var error = (await act.Should().ThrowAsync<InputDataException>()).Which;
        error.File.Should().Be("open-relations/labeledin/data/indications.tsv");
        error.LineNumber.Should().Be(1);
        error.Field.Should().Be("disease_cui");
        error.Message.Should().Contain("open-relations/labeledin/data/indications.tsv:1 (field \"disease_cui\")");
    }

    [Fact]
    public async Task Should_StopTheBuild_When_MostIdsOfASourceAreMalformed()
    {
        // Given: PharmacotherapyDB with its id columns swapped
        using var dir = new TempDirectory();
        CopyDirectory(TestPaths.TestData(OpenRelationsBuilder.Folder), dir.Combine(OpenRelationsBuilder.Folder));
        var file = dir.Combine(OpenRelationsBuilder.Folder, "pharmacotherapydb", "indications.tsv");
        var lines = File.ReadAllLines(file);
        var swapped = lines.Take(1).Concat(Enumerable.Repeat(0, 12).SelectMany(_ => lines.Skip(1).Select(l =>
        {
            var f = l.Split('\t');
            (f[0], f[1]) = (f[1], f[0]);
            return string.Join('\t', f);
        })));
        File.WriteAllLines(file, swapped);
        var (builder, _, _) = await NewAsync(dir.Path);

        // When
        var act = () => builder.AddDefaultRelationsAsync(CancellationToken.None);

        // Then
        var error = (await act.Should().ThrowAsync<InputDataException>()).Which;
        error.File.Should().Be("open-relations/pharmacotherapydb/indications.tsv");
        error.LineNumber.Should().Be(2);
        error.Field.Should().Be("doid_id");
    }

    [Fact]
    public void Should_NameTheMissingFile_When_ADefaultOrARequestedOptInFileIsAbsent()
    {
        // Given
        using var dir = new TempDirectory();
        CopyDirectory(TestPaths.TestData(OpenRelationsBuilder.Folder), dir.Combine(OpenRelationsBuilder.Folder));
        File.Delete(dir.Combine(OpenRelationsBuilder.Folder, "medi", "MEDI_01212013_UMLS.csv.gz"));
        var builder = new OpenRelationsBuilder(dir.Path, new RecordingSink(), new VocabularyLinks(), new Dictionary<string, long>());

        // When / Then: a missing opt-in file matters only when the source is asked for
        builder.Invoking(b => b.CheckFiles([])).Should().NotThrow();
        builder.Invoking(b => b.CheckFiles([RelationSources.MediName])).Should().Throw<StageConfigurationException>()
            .WithMessage("*open-relations/medi/MEDI_01212013_UMLS.csv.gz*--relations names medi*");

        // When / Then: a missing default file always does
        File.Delete(dir.Combine(OpenRelationsBuilder.Folder, "ahrq-ccs", "ccs-prref-2015.csv"));
        builder.Invoking(b => b.CheckFiles([])).Should().Throw<StageConfigurationException>().WithMessage("*open-relations/ahrq-ccs/ccs-prref-2015.csv*");
    }

    private static async Task<(OpenRelationsBuilder Builder, RecordingSink Sink, Dictionary<string, long> Counts)> NewAsync(string dataDirectory)
    {
        var links = new VocabularyLinks
        {
            Icd9Dx = new Dictionary<string, string>(StringComparer.Ordinal) { ["25000"] = "XICD9DX_25000", ["2766"] = "XICD9DX_2766" },
            Icd9Px = new Dictionary<string, string>(StringComparer.Ordinal) { ["0101"] = "XICD9PX_0101" },
            Icd10Cm = new Dictionary<string, string>(StringComparer.Ordinal) { ["A000"] = "XICD10CM_A000", ["E119"] = "C0011860" },
        };
        links.DoConcepts["DOID:10763"] = Hypertension;
        links.DoConcepts["DOID:784"] = "XDOID_784";
        links.DoConcepts["DOID:418"] = "XDOID_418";
        links.CuiConcepts[Hypertension] = Hypertension;
        links.Loinc["2823-3"] = "XLNC_2823-3";
        links.AddDiseaseName("Hyperkalemia", "C0020461");
        var sink = new RecordingSink();
        var counts = new Dictionary<string, long>(StringComparer.Ordinal);
        var builder = new OpenRelationsBuilder(dataDirectory, sink, links, counts);
        await builder.LoadDrugIdentityAsync(CancellationToken.None);
        return (builder, sink, counts);
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (var f in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, f));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(f, target);
        }
    }
}

/// <summary>Records what the relation builder writes.</summary>
internal sealed class RecordingSink : IVocabularySink
{
    public List<(string Cui, string Sab, string Tty, string Code, string Str, string Tui)> Atoms { get; } = [];

    public List<(string Cui1, string Rel, string Cui2, string Rela, string Sab)> Relations { get; } = [];

    public void AddAtom(string cui, string sab, string tty, string code, string str, string tui) => Atoms.Add((cui, sab, tty, code, str, tui));

    public void AddRelation(string cui1, string rel, string cui2, string rela, string sab) => Relations.Add((cui1, rel, cui2, rela, sab));

    public RecordingSinkAssertions Should() => new(this);
}

internal sealed class RecordingSinkAssertions(RecordingSink sink)
{
    public void HaveRelation(string cui1, string rel, string cui2, string rela, string sab) =>
        sink.Relations.Should().Contain((cui1, rel, cui2, rela, sab), $"the row {cui1}|{rel}|{cui2}|{rela}|{sab} should be written");
}
