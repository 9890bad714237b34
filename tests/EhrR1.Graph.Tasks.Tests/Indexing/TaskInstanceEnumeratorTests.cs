using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Tests.Support;
using EhrR1.Graph.Trajectories.Model;

namespace EhrR1.Graph.Tasks.Tests.Indexing;

public sealed class TaskInstanceEnumeratorTests
{
    private static Dictionary<string, TaskInstance> Index(PatientTrajectory p, ContextWindowMode mode = ContextWindowMode.Contiguous) =>
        new TaskInstanceEnumerator(mode).Enumerate(p).ToDictionary(i => i.SampleId, StringComparer.Ordinal);

    private static string Label(Dictionary<string, TaskInstance> index, string sampleId) => index[sampleId].Target.Should().ContainSingle().Subject;

    [Fact]
    public void Should_OpenTheWindowAtTheEarliestSameAdmissionEventWithin24Hours_When_UnlinkedEventsAreBetween()
    {
        var index = Index(Fixtures.TwoAdmissions());

        var labs = index["labevents:1:2"];
        labs.Target.Should().Equal("Glucose", "Sodium");
        (labs.ContextBegin, labs.ContextEnd, labs.HadmId, labs.AdmissionsId, labs.LastDischargeId).Should().Be((1, 2, 100L, 1, (int?)null));

        var transfer = index["transfers:1:6"];
        transfer.Target.Should().Equal("Medicine", "transfer");
        transfer.ContextBegin.Should().Be(5, "the omr row (no admission) is passed over, the other admission's lab at 3 stops the window");
    }

    [Fact] // Reproduces #22 (point 4): Inpatient_Mortality:10003400:1922 on the demo
    public void Should_EmitRiskInstancesOnlyInDefaultMode_When_TheWindowHoldsOnlyTheAnchor()
    {
        // Given: an admission, an ICU stay and an ED stay with no counted event after the anchor inside the window
        var patient = Fixtures.LoneAnchorsAndMidnightHcpcs();

        // When
        var contiguous = Index(patient);
        var upstream = Index(patient, ContextWindowMode.Upstream);

        // Then: the default emits them with the anchor alone; upstream's scans find no context end and emit nothing
        foreach (var id in new[] { "Inpatient_Mortality:5:2", "LengthOfStay_3day:5:2", "LengthOfStay_7day:5:2" })
        {
            (contiguous[id].ContextBegin, contiguous[id].ContextEnd).Should().Be((2, 3), id);
            upstream.Should().NotContainKey(id);
        }

        foreach (var id in new[] { "ICU_Mortality_1day:5:4", "ICU_Stay_7day:5:4", "ICU_Readmission:5:4" })
        {
            contiguous[id].ContextEnd.Should().Be(6, id + ": the hcpcs row at midnight is inside the default window");
            upstream.Should().NotContainKey(id);
        }

        foreach (var id in new[] { "ED_Hospitalization:5:7", "ED_Critical_Outcomes:5:7" })
        {
            (contiguous[id].ContextBegin, contiguous[id].ContextEnd).Should().Be((7, 8), id);
            upstream.Should().NotContainKey(id);
        }

        contiguous.Values.Count(i => TaskCatalog.ByName[i.Task].IsRisk).Should().Be(3 + 8 + 5);
        upstream.Values.Should().NotContain(i => TaskCatalog.Find(i.Task)!.IsRisk);
    }

    [Fact] // Reproduces #22 (point 4): admissions:10012853:542 on the demo
    public void Should_NeverBeginAWindowAtAnHcpcsRowInUpstreamMode_When_ItIsTheOnlyEarlierEventWithin24Hours()
    {
        // Given: hcpcs rows dated at midnight, each the only same-admission event in the 24 h before a target
        var patient = Fixtures.LoneAnchorsAndMidnightHcpcs();

        // When
        var contiguous = Index(patient);
        var upstream = Index(patient, ContextWindowMode.Upstream);

        // Then: by default the hcpcs row is the whole context; upstream places hcpcs rows away from their date, so no
        // window can begin there and the instances do not exist
        foreach (var id in new[] { "admissions:5:2", "next_event:5:2", "labevents:5:6", "next_event:5:6" })
        {
            var context = contiguous[id];
            (context.ContextEnd - context.ContextBegin).Should().Be(1, id);
            patient.Events[context.ContextBegin].Table.Should().Be("hcpcsevents", id);
            upstream.Should().NotContainKey(id);
        }

        upstream["next_event:5:5"].ContextBegin.Should().Be(4, "an hcpcs target keeps its window; only its own place as a window start is upstream's");
    }

    [Fact]
    public void Should_DropTheInstance_When_AnotherAdmissionsEventIsJustBefore()
    {
        var contiguous = Index(Fixtures.TwoAdmissions());
        var upstream = Index(Fixtures.TwoAdmissions(), ContextWindowMode.Upstream);

        contiguous.Should().NotContainKey("labevents:1:5");
        upstream["labevents:1:5"].ContextBegin.Should().Be(1, "upstream skips over the event of admission 300");
        contiguous.Should().NotContainKey("labevents:1:3");
        upstream.Should().NotContainKey("labevents:1:3");
    }

    [Fact]
    public void Should_BorrowThePreviousTimeWithoutMutatingTheTrajectory_When_TargetIsDiagnoses()
    {
        var patient = Fixtures.TwoAdmissions();
        var index = Index(patient);

        index["diagnoses_icd:1:9"].Target.Should().Equal("Sepsis", "Pneumonia");
        index["diagnoses_ccs:1:9"].Target.Should().Equal("Septicemia", "Pneumonia");
        index["diagnoses_icd:1:9"].ContextBegin.Should().Be(5);
        Label(index, "next_event:1:9").Should().Be("diagnoses_icd");
        patient.Events[9].StartTime.Should().BeNull();
    }

    [Fact]
    public void Should_ReferenceTheLastDischargeOfAnotherAdmission_When_PatientWasDischargedBefore()
    {
        var index = Index(Fixtures.TwoAdmissions());

        var labs = index["labevents:1:11"];
        (labs.ContextBegin, labs.AdmissionsId, labs.LastDischargeId).Should().Be((10, 10, (int?)8));
        Label(index, "discharge:1:8").Should().Be("Discharge note A.");
        index["radiology:1:7"].Target.Should().Equal("CHEST (PA AND LAT)", "CT HEAD");
        index.Should().NotContainKey("admissions:1:1", "an admission opening the trajectory has no context");
    }

    [Fact]
    public void Should_LabelReadmissionFromTheAdmissionDischargeTime_When_AnchorIsADischargeNote()
    {
        var index = Index(Fixtures.TwoAdmissions());

        Label(index, "Readmission_30day:1:8").Should().Be("yes");
        Label(index, "Readmission_60day:1:8").Should().Be("yes");
        (index["Readmission_30day:1:8"].ContextBegin, index["Readmission_30day:1:8"].ContextEnd).Should().Be((5, 9));
    }

    [Fact]
    public void Should_EmitLengthOfStayOnlyWhileTheContextIsBeforeDischarge_When_AnchorIsAnAdmission()
    {
        var contiguous = Index(Fixtures.TwoAdmissions());
        var upstream = Index(Fixtures.TwoAdmissions(), ContextWindowMode.Upstream);

        Label(contiguous, "LengthOfStay_3day:1:1").Should().Be("no");
        Label(contiguous, "Inpatient_Mortality:1:1").Should().Be("no");
        (contiguous["LengthOfStay_3day:1:1"].ContextBegin, contiguous["LengthOfStay_3day:1:1"].ContextEnd).Should().Be((1, 3));
        upstream.Should().NotContainKey("LengthOfStay_3day:1:1", "the upstream window reaches the 20:00 note, after the 19:00 discharge");
        upstream["Inpatient_Mortality:1:1"].ContextEnd.Should().Be(9, "the window stops before the discharge-time diagnoses list");
    }

    [Fact]
    public void Should_LabelEveryEdOutcome_When_TheVisitLeadsToAnIcuStayAndDeath()
    {
        var index = Index(Fixtures.EdToIcuAndDeath());

        var ed = index["ED_Hospitalization:2:1"];
        (ed.ContextBegin, ed.ContextEnd, ed.HadmId).Should().Be((1, 7, 500L));
        Label(index, "ED_Hospitalization:2:1").Should().Be("yes");
        Label(index, "ED_ICU_Tranfer_12hour:2:1").Should().Be("yes");
        Label(index, "ED_Inpatient_Mortality:2:1").Should().Be("yes");
        Label(index, "ED_Critical_Outcomes:2:1").Should().Be("yes");
        Label(index, "ED_Reattendance_3day:2:1").Should().Be("no");
    }

    [Fact]
    public void Should_AttributeEdRowsToTheirStayAdmission_When_WindowIsContiguous()
    {
        var index = Index(Fixtures.EdToIcuAndDeath());
        var upstream = Index(Fixtures.EdToIcuAndDeath(), ContextWindowMode.Upstream);

        index["medrecon:2:3"].Target.Should().Equal("Aspirin", "Lisinopril");
        index["medrecon_atc:2:3"].Target.Should().Equal("ANTITHROMBOTIC AGENTS", "ACE INHIBITORS, PLAIN");
        (index["medrecon:2:3"].ContextBegin, index["medrecon:2:3"].HadmId).Should().Be((1, 500L));
        index["pyxis:2:5"].Target.Should().Equal("Morphine");
        index["diagnosis:2:7"].Target.Should().Equal("Chest pain, unspecified");
        index["diagnosis_ccs:2:7"].Target.Should().Equal("Nonspecific chest pain");
        index["diagnosis:2:7"].ContextBegin.Should().Be(1);
        (upstream["diagnosis:2:7"].ContextBegin, upstream["diagnosis:2:7"].HadmId).Should().Be((2, (long?)null));
    }

    [Fact]
    public void Should_LabelAdmissionAndIcuRisks_When_PatientDiesAfterDischargeDay()
    {
        var index = Index(Fixtures.EdToIcuAndDeath());

        Label(index, "LengthOfStay_3day:2:6").Should().Be("yes");
        Label(index, "LengthOfStay_7day:2:6").Should().Be("yes");
        Label(index, "Inpatient_Mortality:2:6").Should().Be("yes", "dod (midnight of 03-10) is not after the 12:00 discharge");
        index["Inpatient_Mortality:2:6"].ContextEnd.Should().Be(10);
        Label(index, "ICU_Mortality_7day:2:8").Should().Be("no");
        Label(index, "ICU_Mortality_14day:2:8").Should().Be("yes");
        Label(index, "ICU_Stay_7day:2:8").Should().Be("yes");
        Label(index, "ICU_Stay_14day:2:8").Should().Be("no");
        Label(index, "ICU_Readmission:2:8").Should().Be("no");
    }

    [Fact]
    public void Should_LabelReattendance_When_TheNextEdVisitStartsWithin72Hours()
    {
        var index = Index(Fixtures.TwoEdVisits());

        Label(index, "ED_Reattendance_3day:3:1").Should().Be("yes");
        Label(index, "ED_Reattendance_3day:3:5").Should().Be("no");
        Label(index, "ED_Hospitalization:3:1").Should().Be("no");
        Label(index, "ED_Inpatient_Mortality:3:1").Should().Be("no");
        (index["ED_Hospitalization:3:1"].ContextBegin, index["ED_Hospitalization:3:1"].ContextEnd).Should().Be((1, 4), "the diagnosis at the outtime is not before it");
        index["diagnosis:3:4"].ContextBegin.Should().Be(1);
        index["diagnosis:3:7"].ContextBegin.Should().Be(5);
    }

    [Fact]
    public void Should_CompareDodAsMidnight_When_LabellingIcuMortality()
    {
        var index = Index(Fixtures.IcuReadmission());

        index["ICU_Mortality_1day:4:2"].ContextEnd.Should().Be(5);
        Label(index, "ICU_Mortality_1day:4:2").Should().Be("yes", "midnight of 01-03 is 23 h after the last context event");
        Label(index, "ICU_Readmission:4:2").Should().Be("yes");
        Label(index, "ICU_Readmission:4:4").Should().Be("no");
        Label(index, "ICU_Stay_7day:4:2").Should().Be("no");
        Label(index, "Inpatient_Mortality:4:1").Should().Be("yes");
        Label(index, "LengthOfStay_3day:4:1").Should().Be("no");
        index["chartevents:4:5"].Target.Should().Equal("Heart Rate", "Respiratory Rate");
    }

    [Fact]
    public void Should_KeepWindowsInsideOneAdmissionAndUnder24Hours_When_AnyFixtureIsIndexed()
    {
        foreach (var patient in Fixtures.All())
        {
            var instances = new TaskInstanceEnumerator().Enumerate(patient).ToList();
            instances.Select(i => i.SampleId).Should().OnlyHaveUniqueItems();
            foreach (var inst in instances.Where(i => i.Task is not ("ED_Hospitalization" or "ED_Inpatient_Mortality" or "ED_ICU_Tranfer_12hour" or "ED_Reattendance_3day" or "ED_Critical_Outcomes")))
            {
                inst.Target.Should().NotBeEmpty();
                for (var k = inst.ContextBegin; k < inst.ContextEnd; k++)
                {
                    var hadm = patient.Events[k].HadmId;
                    (hadm is null || hadm == inst.HadmId || inst.HadmId is null).Should().BeTrue(inst.SampleId);
                }
            }
        }
    }
}
