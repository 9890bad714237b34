using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Export;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Tests.Support;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Model;
using EhrR1.Graph.Trajectories.Rendering;
using static EhrR1.Graph.Tasks.Tests.Support.TrajectoryBuilder;

namespace EhrR1.Graph.Tasks.Tests.Indexing;

public sealed class LeakGuardTests
{
    private static readonly TimeSpan Day = TimeSpan.FromHours(24);

    /// <summary>
    /// A short admission whose ICU stay starts 1 h in: the discharge note (09:00) and the admission's diagnosis list
    /// (untimed, after the last timed event, where ingest puts it) lie within 24 h of the ICU intime.
    /// </summary>
    private static PatientTrajectory ShortIcuAdmission() => new TrajectoryBuilder(5)
        .Patient(dod: "2184-01-01")
        .Add("admissions", "2184-01-01 00:00:00", 800, Row("admittime", "2184-01-01 00:00:00", "dischtime", "2184-01-01 10:00:00", "admission_type", "EW EMER."))
        .Add("icustays", "2184-01-01 01:00:00", 800, Row("intime", "2184-01-01 01:00:00", "outtime", "2184-01-01 08:00:00"))
        .Add("chartevents", "2184-01-01 02:00:00", 800, Row("item_name", "Heart Rate"))
        .Add("discharge", "2184-01-01 09:00:00", 800, Row("note_type", "DS", "text", "Died."))
        .Add("diagnoses_icd", null, 800, Row("diagnoses", "Cardiac arrest", "CCS Type", "Cardiac arrest"))
        .Add("drgcodes", null, 800, Row("drg_code", "1"))
        .Add("admissions", "2184-06-01 00:00:00", 900, Row("admittime", "2184-06-01 00:00:00", "dischtime", "2184-06-02 00:00:00"))
        .Build();

    [Theory]
    [InlineData(ContextWindowMode.Contiguous)]
    [InlineData(ContextWindowMode.Upstream)]
    public void Should_EndRiskWindowsBeforeTheDiagnosisList_When_ItFollowsWithin24Hours(ContextWindowMode mode)
    {
        var patient = ShortIcuAdmission();
        var index = new TaskInstanceEnumerator(mode).Enumerate(patient).ToDictionary(i => i.SampleId, StringComparer.Ordinal);

        foreach (var task in TaskCatalog.All.Where(t => t.IsRisk && t.Name.StartsWith("ICU_", StringComparison.Ordinal)))
        {
            index[task.Name + ":5:2"].ContextEnd.Should().Be(5, task.Name + ": the note at 4 is inside, the diagnoses at 5 are not");
        }

        index["ICU_Mortality_1day:5:2"].Target.Should().Equal("yes");
        index["Inpatient_Mortality:5:1"].ContextEnd.Should().Be(5);
        foreach (var inst in index.Values)
        {
            LeakGuard.Find(patient, TaskCatalog.ByName[inst.Task], inst.TargetIndex, inst.ContextBegin, inst.ContextEnd, Day).Should().BeNull(inst.SampleId);
        }
    }

    [Theory]
    [InlineData(ContextWindowMode.Contiguous)]
    [InlineData(ContextWindowMode.Upstream)]
    public void Should_EndEveryWindowBeforeItsPredictionTime_When_TheFixturesOfEveryTaskFamilyAreEnumerated(ContextWindowMode mode)
    {
        var families = new HashSet<string>(StringComparer.Ordinal);
        foreach (var patient in Fixtures.All().Append(ShortIcuAdmission()))
        {
            foreach (var inst in new TaskInstanceEnumerator(mode).Enumerate(patient))
            {
                families.Add(WindowLeakCheck.Assert(patient, TaskCatalog.ByName[inst.Task], inst.SampleId, inst.TargetIndex, inst.ContextBegin, inst.ContextEnd));
            }
        }

        families.Should().BeEquivalentTo(["decision", "edstays", "admissions", "icustays", "discharge"]);
    }

    [Fact]
    public void Should_NameTheDischargeOnlyKind_When_AWindowHoldsTheDiagnosisList()
    {
        var patient = ShortIcuAdmission();

        var leak = LeakGuard.Find(patient, TaskCatalog.ByName["ICU_Mortality_1day"], 2, 2, 6, Day);

        leak.Should().NotBeNull();
        leak!.Value.Index.Should().Be(5);
        leak.Value.Reason.Should().Contain("diagnoses_icd").And.Contain("only known at the admission's discharge");
        LeakGuard.Find(patient, TaskCatalog.ByName["ICU_Mortality_1day"], 2, 2, 5, Day).Should().BeNull();
    }

    [Fact]
    public void Should_NameTheLateEvent_When_AWindowRunsPastThePredictionTime()
    {
        var patient = new TrajectoryBuilder(6)
            .Patient()
            .Add("admissions", "2185-01-01 00:00:00", 1, Row("admittime", "2185-01-01 00:00:00", "dischtime", "2185-01-05 00:00:00"))
            .Add("labevents", "2185-01-01 23:00:00", 1, Row("item_name", "Glucose"))
            .Add("labevents", "2185-01-02 06:00:00", 1, Row("item_name", "Sodium"))
            .Add("edstays", "2185-02-01 10:00:00", null, Row("stay_id", "1", "intime", "2185-02-01 10:00:00", "outtime", "2185-02-01 12:00:00"))
            .Add("diagnosis", "2185-02-01 12:00:00", null, Row("stay_id", "1", "icd_title", "Headache"))
            .Build();
        var los = TaskCatalog.ByName["LengthOfStay_3day"];

        LeakGuard.Find(patient, los, 1, 1, 3, Day).Should().BeNull();
        LeakGuard.Find(patient, los, 1, 1, 4, Day)!.Value.Reason.Should().Contain("labevents recorded 6 h after the prediction time");
        LeakGuard.Find(patient, los, 1, 1, 4, null).Should().BeNull("without the window length the admission's prediction time is unknown");
        LeakGuard.Find(patient, TaskCatalog.ByName["ED_Hospitalization"], 4, 4, 6, Day)!.Value.Reason.Should().Contain("diagnosis recorded at the prediction time", "the ED diagnosis is known at the ED outtime");
        LeakGuard.Find(patient, TaskCatalog.ByName["labevents"], 2, 1, 3, Day)!.Value.Reason.Should().Contain("reaches its target event");
        LeakGuard.Find(patient, TaskCatalog.ByName["labevents"], 2, 1, 2, Day).Should().BeNull();
    }

    [Fact]
    public void Should_FailWithTheTaskSampleAndKind_When_VerifyFindsALeak()
    {
        var act = () => LeakGuard.Verify(ShortIcuAdmission(), TaskCatalog.ByName["ICU_Stay_7day"], "ICU_Stay_7day:5:2", 2, 2, 7, Day, "store", null);

        var ex = act.Should().Throw<InputDataException>().Which;
        ex.Code.Should().Be("EHR-TSK-002");
        ex.Message.Should().StartWith("store (field \"context_end\"): outcome leak in task ICU_Stay_7day, sample ICU_Stay_7day:5:2: the input window holds an event of kind diagnoses_icd");
        ex.Message.Should().NotContain("Cardiac", "no patient text in errors");
    }

    [Fact]
    public async Task Should_RefuseToExport_When_ASampleWindowHoldsTheDiagnosisList()
    {
        using var temp = new TempDirectory();
        using var store = new InMemoryTrajectoryStore([ShortIcuAdmission()]);
        var samples = temp.Combine("samples.jsonl");
        File.WriteAllText(samples, "{\"sample_id\":\"ICU_Mortality_1day:5:2\",\"subject_id\":5,\"hadm_id\":800,\"task\":\"ICU_Mortality_1day\",\"event\":\"icustays\",\"target_index\":2,\"context_begin\":2,\"context_end\":6,\"admissions_id\":1,\"last_discharge_id\":null,\"target\":[\"yes\"],\"target_weight\":1}\n");

        var act = () => new SampleExporter().RunAsync(store, EventRenderer.Render, new ExportSettings { SamplesFile = samples, StorePath = "s", Format = ExportFormat.EhrBench, OutputFile = temp.Combine("out.jsonl") }, null, CancellationToken.None);

        (await act.Should().ThrowAsync<InputDataException>()).Which.Message.Should().StartWith(samples + ":1 (field \"context_end\"): outcome leak in task ICU_Mortality_1day, sample ICU_Mortality_1day:5:2").And.Contain("diagnoses_icd");
        File.Exists(temp.Combine("out.jsonl")).Should().BeFalse();
    }
}
