using EhrR1.Graph.Core.Concepts;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Knowledge.Tests.Extraction;

/// <summary>Lab events: high/low flags per lab, and lab names linked to lab tests before drugs of the same name.</summary>
public sealed class ConceptExtractorTests
{
    private static readonly string[] LabKeys = ["item_name", "valuenum", "valueuom", "ref_range_lower", "ref_range_upper", "flag", "comments"];

    private static EventItem Lab(string name, string? value, string? lower, string? upper, string? flag) =>
        new(LabKeys, [name, value, "mEq/L", lower, upper, flag, null]);

    /// <summary>"Glucose" is a drug (more atoms) and a lab test (type T059); the resolver records how it was asked.</summary>
    private sealed class TwoGlucoses : IConceptResolver
    {
        public ResolvedConcept? Resolve(string term) => term switch
        {
            "Glucose" => new ResolvedConcept("C0017725", "Glucose", "exact", 1, ["T121"]),
            "Potassium" => new ResolvedConcept("XLNC_2823-3", "Potassium", "exact", 1, ["T059"]),
            _ => null,
        };

        public ResolvedConcept? Resolve(string term, IReadOnlySet<string> preferredTypes) =>
            term == "Glucose" && preferredTypes.Contains("T059") ? new ResolvedConcept("XLNC_2345-7", "Glucose", "exact", 1, ["T059"]) : Resolve(term);

        public string? PreferredName(string cui) => null;
    }

    [Fact]
    public void Should_FlagAbnormalResults_AndLinkLabNamesToLabTests_When_ALabEventIsExtracted()
    {
        // Given a lab event: potassium high, then low (measured twice), glucose normal, sodium flagged without range
        var ev = new EhrEvent("labevents", new DateTime(2180, 1, 1, 8, 0, 0, DateTimeKind.Unspecified), null, 1, [
            Lab("Potassium", "5.9", "3.3", "5.1", "abnormal"),
            Lab("Potassium", "2.9", "3.3", "5.1", "abnormal"),
            Lab("Glucose", "98", "70", "100", null),
            Lab("Sodium", null, null, null, "abnormal"),
        ]);

        // When
        var concepts = new ConceptExtractor(null, new TwoGlucoses()).Extract(ev, 7)!;

        // Then
        concepts.Flags.Should().NotBeNull();
        concepts.Flags!.Keys.Should().BeEquivalentTo("Potassium", "Sodium");
        concepts.Flags["Potassium"].Should().Equal(LabResultFlags.High, LabResultFlags.Low);
        concepts.Flags["Sodium"].Should().Equal(LabResultFlags.Abnormal);
        concepts.Links["Glucose"].Should().Be("XLNC_2345-7", "a lab item named Glucose is the lab test, not the drug");
        concepts.Links["Potassium"].Should().Be("XLNC_2823-3");
    }

    [Fact]
    public void Should_CarryTheHistoryLabsFlags_When_ASampleIsBuilt()
    {
        // Given a patient whose event 1 is a lab event with a high potassium, and a prescriptions target at event 3
        var labs = new EventConcepts
        {
            Index = 1,
            Table = "labevents",
            Labels = new Dictionary<string, IReadOnlyList<string>> { ["labevents"] = ["Potassium", "Glucose"] },
            Flags = new Dictionary<string, IReadOnlyList<string>> { ["Potassium"] = [LabResultFlags.High] },
        };
        var target = new EventConcepts
        {
            Index = 3,
            Table = "prescriptions",
            Labels = new Dictionary<string, IReadOnlyList<string>> { ["prescriptions"] = ["Sodium Polystyrene Sulfonate"] },
        };
        var row = new TaskIndexRow { SampleId = "prescriptions:1:3", Task = "prescriptions", Event = "prescriptions", SubjectId = 1, TargetIndex = 3, ContextBegin = 0, ContextEnd = 3, Target = ["Sodium Polystyrene Sulfonate"] };

        // When
        var sample = new SampleConceptsStage().Build(row, new Dictionary<int, EventConcepts> { [1] = labs, [3] = target });

        // Then
        sample.History.Should().Contain("Potassium");
        sample.HistoryFlags.Should().NotBeNull();
        sample.HistoryFlags!["Potassium"].Should().Equal(LabResultFlags.High);
        sample.HistoryFlags.Should().NotContainKey("Glucose");
    }
}
