using System.Text.Json;
using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Knowledge.Tests.Extraction;

/// <summary><c>concepts samples --all-tasks</c>: risk samples get a record (with their history) beside decision ones.</summary>
public sealed class SampleConceptsAllTasksTests
{
    [Fact]
    public async Task Should_WriteRiskSamplesWithTheirHistory_When_AllTasksIsOn()
    {
        // Given one patient: admission at 0, a lab at 1, a lab target at 2; a labevents sample and a risk sample whose
        // window (1..2) follows its target admission (0), as `tasks sample` writes risk rows
        using var tmp = new TempDirectory();
        Directory.CreateDirectory(tmp.Combine("concepts"));
        File.WriteAllText(tmp.Combine("concepts", ConceptFiles.EventsFile),
            """{"subject_id":1,"events":[{"index":0,"table":"admissions","labels":{},"text":[],"links":{}},{"index":1,"table":"labevents","labels":{"labevents":["Potassium"]},"text":[],"links":{"Potassium":"C1"}},{"index":2,"table":"labevents","labels":{"labevents":["Sodium"]},"text":[],"links":{"Sodium":"C2"}}]}""" + "\n");
        File.WriteAllLines(tmp.Combine("samples.jsonl"),
        [
            """{"sample_id":"labevents:1:2","subject_id":1,"hadm_id":5,"task":"labevents","event":"labevents","target_index":2,"context_begin":1,"context_end":2,"admissions_id":0,"last_discharge_id":null,"target":["Sodium"]}""",
            """{"sample_id":"Inpatient_Mortality:1:0","subject_id":1,"hadm_id":5,"task":"Inpatient_Mortality","event":"admissions","target_index":0,"context_begin":1,"context_end":3,"admissions_id":0,"last_discharge_id":null,"target":["no"]}""",
        ]);

        // When
        var settings = new SampleConceptsSettings { SamplesPath = tmp.Combine("samples.jsonl"), ConceptsDirectory = tmp.Combine("concepts"), OutputPath = tmp.Combine("a.jsonl") };
        var noProgress = new Progress<StageProgress>();
        var decisionOnly = await new SampleConceptsStage().RunAsync(settings, noProgress, CancellationToken.None);
        var all = await new SampleConceptsStage().RunAsync(settings with { OutputPath = tmp.Combine("b.jsonl"), AllTasks = true }, noProgress, CancellationToken.None);

        // Then: by default the risk sample is skipped; with all tasks it is written, its history the window's labs
        decisionOnly.Counts["samples_written"].Should().Be(1);
        decisionOnly.Counts["skipped_not_concept_task"].Should().Be(1);
        all.Counts["samples_written"].Should().Be(2);
        var records = File.ReadLines(tmp.Combine("b.jsonl")).Select(l => JsonSerializer.Deserialize<SampleConcepts>(l)!).ToList();
        var risk = records.Single(r => r.SampleId == "Inpatient_Mortality:1:0");
        risk.Targets.Should().BeEmpty();
        risk.History.Should().Equal("Potassium", "Sodium");
        records.Single(r => r.SampleId == "labevents:1:2").History.Should().Equal("Potassium");
    }
}
