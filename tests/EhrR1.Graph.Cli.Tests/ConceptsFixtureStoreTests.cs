using System.Text.Json;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// <c>concepts extract</c> on a small store of our own rows with a note module (the demo has none): every UMLS span of
/// the discharge and radiology texts is kept, task labels come from the task definitions, labels are linked to CUIs.
/// </summary>
public sealed class ConceptsFixtureStoreTests
{
    [Fact]
    public async Task Should_KeepEverySpanOfNotesAndLinkLabels_When_ExtractingAFixtureStore()
    {
        // Given: one patient with a lab, a radiology report and a discharge note; a tiny vocabulary
        using var dir = new TempDirectory();
        var mimic = dir.Combine("mimic");
        Csv(mimic, "hosp/patients", "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod", "7,F,50,2150,2011 - 2013,");
        Csv(mimic, "hosp/admissions", "subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admission_location,discharge_location", "7,70,2150-01-01 10:00:00,2150-01-04 12:00:00,,URGENT,EMERGENCY ROOM,HOME");
        Csv(mimic, "hosp/labevents", "labevent_id,subject_id,hadm_id,specimen_id,itemid,order_provider_id,charttime,storetime,value,valuenum,valueuom,ref_range_lower,ref_range_upper,flag,priority,comments", "1,7,70,5,50808,,2150-01-02 06:00:00,,1.1,1.1,mmol/L,1.1,1.3,,ROUTINE,");
        Csv(mimic, "hosp/d_labitems", "itemid,label,fluid,category", "50808,Free Calcium,Blood,Blood Gas");
        Csv(mimic, "note/radiology", "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text", "7-RR-1,7,70,RR,1,2150-01-02 11:00:00,,Chest film: right lower lobe pneumonia.");
        Csv(mimic, "note/radiology_detail", "note_id,subject_id,field_name,field_value,field_ordinal", "7-RR-1,7,exam_name,CHEST (PA AND LAT),1");
        Csv(mimic, "note/discharge", "note_id,subject_id,hadm_id,note_type,note_seq,charttime,storetime,text", "7-DS-1,7,70,DS,1,2150-01-04 12:00:00,,\"Treated for pneumonia. A small pleural effusion and chest pain resolved.\"");
        var rrf = dir.Combine("rrf");
        Directory.CreateDirectory(rrf);
        File.WriteAllText(Path.Combine(rrf, "MRCONSO.RRF"), string.Concat(
            Conso("C0000001", 1, "Free Calcium"), Conso("C0008031", 2, "Chest Pain"), Conso("C0032227", 3, "Pleural effusion"), Conso("C0032285", 4, "Pneumonia")));
        File.WriteAllText(Path.Combine(rrf, "MRSTY.RRF"), "C0000001|T059|A1|Laboratory Procedure|AT1||\nC0008031|T184|A1|Sign or Symptom|AT2||\nC0032227|T047|A1|Disease or Syndrome|AT3||\nC0032285|T047|A1|Disease or Syndrome|AT4||\n");
        await CliRunner.RunOk("ingest", "--mimic", mimic, "--out", dir.Combine("store"), "--quiet");
        await CliRunner.RunOk("umls", "build-index", "--rrf", rrf, "--out", dir.Combine("index"), "--quiet");

        // When
        var stdout = await CliRunner.RunOk("concepts", "extract", "--store", dir.Combine("store"), "--index", dir.Combine("index"), "--out", dir.Combine("concepts"), "--threads", "2", "--quiet");

        // Then
        using (var report = JsonDocument.Parse(stdout))
        {
            report.RootElement.GetProperty("Counts").GetProperty("patients").GetInt64().Should().Be(1);
            report.RootElement.GetProperty("Counts").GetProperty("notes_with_spans").GetInt64().Should().Be(2);
        }

        var patient = ConceptFiles.ReadPatients(dir.Combine("concepts")).Should().ContainSingle().Subject;
        patient.SubjectId.Should().Be(7);
        var discharge = patient.Events.Single(e => e.Table == "discharge");
        discharge.Labels.Should().BeEmpty("the discharge label is the note itself, not a concept list");
        discharge.Text.Select(t => t.Cui).Should().Equal("C0032285", "C0032227", "C0008031");
        discharge.Text.Should().BeInAscendingOrder(t => t.Start);
        var radiology = patient.Events.Single(e => e.Table == "radiology");
        radiology.Labels["radiology"].Should().Equal("CHEST (PA AND LAT)");
        radiology.Text.Select(t => t.Cui).Should().Equal("C0032285");
        var lab = patient.Events.Single(e => e.Table == "labevents");
        lab.Labels["labevents"].Should().Equal("Free Calcium");
        lab.Links.Should().Contain("Free Calcium", "C0000001");
        File.Exists(dir.Combine("concepts", "manifest.json")).Should().BeTrue();
    }

    private static string Conso(string cui, int n, string str) =>
        $"{cui}|ENG|P|L{n:D7}|PF|S{n:D7}|Y|A{n:D7}||||TEST|PT|{n}|{str}|0|N||\n";

    private static void Csv(string root, string table, string header, string row)
    {
        var path = Path.Combine(root, table + ".csv");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, header + "\n" + row + "\n");
    }
}
