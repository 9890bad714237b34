using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Labels;
using EhrR1.Graph.Trajectories.Model;
using static EhrR1.Graph.Tasks.Tests.Support.TrajectoryBuilder;

namespace EhrR1.Graph.Tasks.Tests.Labels;

public sealed class LabelExtractorTests
{
    private static readonly DateTime Noon = new(2180, 1, 1, 12, 0, 0);

    private static IReadOnlyList<string>? Extract(string task, string table, params EventItem[] rows) =>
        LabelExtractor.Extract(TaskCatalog.ByName[task], new EhrEvent(table, Noon, Noon, 1, rows), Noon);

    [Fact]
    public void Should_KeepFirstOccurrenceOrderWithoutDuplicatesOrEmpties_When_ItemsRepeat()
    {
        var labels = Extract("labevents", "labevents",
            Row("item_name", "Sodium"), Row("item_name", " Glucose "), Row("item_name", "Sodium"), Row("item_name", null), Row("item_name", "nan"), Row("item_name", "None"), Row("item_name", "Albumin"));
        labels.Should().Equal("Sodium", "Glucose", "Albumin");
    }

    [Fact]
    public void Should_ReturnNull_When_NoItemHasAValue()
    {
        Extract("prescriptions_atc", "prescriptions", Row("drug", "Heparin", "ATC Type", null)).Should().BeNull();
    }

    [Fact]
    public void Should_UseEventtype_When_TransferCareunitIsEmpty()
    {
        Extract("transfers", "transfers", Row("eventtype", "ED", "careunit", "Emergency Department"), Row("eventtype", "discharge", "careunit", null), Row("eventtype", "admit", "careunit", "nan"))
            .Should().Equal("Emergency Department", "discharge", "admit");
    }

    [Fact]
    public void Should_FlattenExamNames_When_RadiologyNotesHaveSeveral()
    {
        Extract("radiology", "radiology", Radiology("a", "CHEST (PA AND LAT)"), Radiology("b", "CT HEAD W/O CONTRAST", "CHEST (PA AND LAT)"))
            .Should().Equal("CHEST (PA AND LAT)", "CT HEAD W/O CONTRAST");
    }

    [Fact]
    public void Should_ReturnTheSingleNote_When_DischargeEventHasOneNote()
    {
        Extract("discharge", "discharge", Row("text", "Patient discharged home.")).Should().Equal("Patient discharged home.");
        Extract("discharge", "discharge", Row("text", "one"), Row("text", "two")).Should().BeNull();
    }

    [Fact]
    public void Should_ReturnTheTable_When_TaskIsNextEventAndEventIsTimed()
    {
        var ev = new EhrEvent("pyxis", null, null, null, [Row("name", "Morphine")]);
        LabelExtractor.Extract(TaskCatalog.NextEventTask, ev, Noon).Should().Equal("pyxis");
        LabelExtractor.Extract(TaskCatalog.NextEventTask, ev, null).Should().BeNull();
    }

    [Theory]
    [InlineData("medrecon", "medrecon", "name", "Aspirin")]
    [InlineData("medrecon_atc", "medrecon", "ATC Type", "ANTITHROMBOTIC AGENTS")]
    [InlineData("pyxis", "pyxis", "name", "Morphine")]
    [InlineData("diagnosis", "diagnosis", "icd_title", "Chest pain")]
    [InlineData("diagnosis_ccs", "diagnosis", "CCS Type", "Nonspecific chest pain")]
    [InlineData("diagnoses_icd", "diagnoses_icd", "diagnoses", "Sepsis")]
    [InlineData("procedures_ccs", "procedures_icd", "CCS Type", "Other OR procedures")]
    [InlineData("admissions", "admissions", "admission_type", "EW EMER.")]
    [InlineData("omr", "omr", "result_name", "BMI (kg/m2)")]
    [InlineData("services", "services", "curr_service", "MED")]
    [InlineData("poe", "poe", "order_type", "Lab")]
    [InlineData("emar", "emar", "medication", "Heparin")]
    [InlineData("microbiologyevents", "microbiologyevents", "test_name", "Blood Culture, Routine")]
    [InlineData("outputevents", "outputevents", "item_name", "Foley")]
    public void Should_ReadTheTaskTargetKey_When_TaskIsBoundToTheEvent(string task, string table, string key, string value)
    {
        Extract(task, table, Row(key, value, "other", "x")).Should().Equal(value);
    }
}
