using System.IO.Compression;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Rendering;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Trajectories.Tests;

public sealed class IngestStageTests
{
    private static Task<IngestResult> Ingest(string mimic, string output, Func<IngestSettings, IngestSettings>? configure = null)
    {
        var settings = new IngestSettings(mimic, output) { SortBufferBytes = 16L << 20 };
        settings = configure?.Invoke(settings) ?? settings;
        return new IngestStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None);
    }

    [Fact]
    public async Task Should_OrderEdIcuNoteAndUntimedRows_When_IngestingOwnFixture()
    {
        using var dir = new TempDirectory();
        var mimic = dir.Combine("mimic");
        var ccs = dir.Combine("ccs.csv");
        var atc = dir.Combine("atc.csv");
        MimicFixture.WriteEdAndNote(mimic);
        File.WriteAllText(ccs, "kind,icd_version,icd_code,ccs_title\ndiagnoses,9,4019,Essential hypertension\n");
        File.WriteAllText(atc, "ndc,atc_name\n17714001110,acetylsalicylic acid\n");

        var result = await Ingest(mimic, dir.Combine("store"), s => s with { CcsMapPath = ccs, AtcMapPath = atc });

        result.Counts["patients"].Should().Be(2);
        result.Counts["rows"].Should().Be(19);
        using var store = TrajectoryStore.Open(dir.Combine("store"));
        store.SubjectIds.Should().Equal(1, 2);
        var t = store.Read(1);
        t.Events.Select(e => e.Table).Should().Equal(
            "patients", "edstays", "triage", "medrecon", "vitalsign", "labevents", "pyxis", "admissions", "diagnosis",
            "radiology", "labevents", "discharge", "diagnoses_icd", "drgcodes", "admissions", "diagnoses_icd");
        var triage = t.Events[2];
        triage.StartTime.Should().Be(new DateTime(2150, 1, 1, 7, 0, 1));
        t.Events[8].StartTime.Should().Be(new DateTime(2150, 1, 1, 10, 30, 0), "ED diagnosis is timed at the stay's outtime");
        t.Events[12].StartTime.Should().BeNull();
        t.Events[12].HadmId.Should().Be(100);
        t.Events[12].Items.Select(i => i.Get("diagnoses")).Should().Equal("Unspecified essential hypertension", null);
        t.Events[12].Items[0].Get("CCS Type").Should().Be("Essential hypertension");
        t.Events[15].Items.Select(i => i.Get("hadm_id")).Should().Equal("101", "999");
        t.Events[3].Items[0].Get("ATC Type").Should().Be("acetylsalicylic acid");
        t.Events[10].Items[0].Get("comments").Should().Be("Comment, with comma and \"quotes\"\nand a newline");
        t.Events[10].Items[0].Get("item_name").Should().Be("Free Calcium");
        t.Events[10].Items[0].Get("order_provider_id").Should().BeNull();

        EventRenderer.Render(t.Events[9]).Should().Be(
            "## Radiology Examinations [2150-01-01 11:00:00]\n- Note_Type: RR\n- Exam_Name: ['CHEST (PA AND LAT)', 'ABDOMEN (SUPINE ONLY)']\n- Text: CXR text");
        EventRenderer.Render(t.Events[12]).Should().Be(
            "## Diagnoses on International Classification of Diseases [None]\n| Diagnoses | Ccs Type |\n| ------ | ------ |\n" +
            "| Unspecified essential hypertension | Essential hypertension |\n| None | None |");
        EventRenderer.Render(t.Events[2]).Should().Contain("- O2Sat: 99").And.Contain("- Chiefcomplaint: Chest pain");
        EventRenderer.Render(t.Events[13]).Should().BeEmpty("drgcodes have no rendering upstream");
        store.Read(2).Events.Should().ContainSingle().Which.Table.Should().Be("patients");
    }

    [Fact]
    public async Task Should_SkipRebuild_When_StoreIsUpToDate_And_RebuildWithForce()
    {
        using var dir = new TempDirectory();
        MimicFixture.WriteMinimalHosp(dir.Path);
        var first = await Ingest(dir.Path, dir.Combine("out", "store"));
        first.UpToDate.Should().BeFalse();
        var second = await Ingest(dir.Path, dir.Combine("out", "store"));
        second.UpToDate.Should().BeTrue();
        second.Counts["rows"].Should().Be(3);
        var forced = await Ingest(dir.Path, dir.Combine("out", "store"), s => s with { Force = true });
        forced.UpToDate.Should().BeFalse();
        MimicFixture.Write(dir.Path, "hosp/patients", "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod\n1,F,40,2150,2011 - 2013,\n");
        var changed = () => Ingest(dir.Path, dir.Combine("out", "store"));
        await changed.Should().ThrowAsync<StageConfigurationException>("inputs changed and --force was not given");
    }

    [Fact]
    public async Task Should_RefuseAStoreOfTheOldFormat_NamingTheFix()
    {
        // Given a store whose files are those of the per-patient format (version 1)
        using var dir = new TempDirectory();
        MimicFixture.WriteMinimalHosp(dir.Path);
        var store = dir.Combine("out", "store");
        await Ingest(dir.Path, store);
        var schema = Path.Combine(store, StoreSchema.FileName);
        File.WriteAllText(schema, File.ReadAllText(schema).Replace(StoreSchema.CurrentFormat, "ehrr1-trajectories/1", StringComparison.Ordinal));

        // When / Then
        var old = FluentActions.Invoking(() => TrajectoryStore.Open(store)).Should().Throw<InputDataException>().Which;
        old.File.Should().Be(schema);
        old.Message.Should().Contain("ehrr1-trajectories/1").And.Contain("ehr-graph ingest --force");

        // Given a version-1 index beside a current schema
        await Ingest(dir.Path, store, s => s with { Force = true });
        var index = Path.Combine(store, "index.bin");
        var bytes = File.ReadAllBytes(index);
        "EHRIDX01"u8.CopyTo(bytes);
        File.WriteAllBytes(index, bytes);
        var header = FluentActions.Invoking(() => TrajectoryStore.Open(store)).Should().Throw<InputDataException>().Which;
        header.Message.Should().Contain("EHRIDX01").And.Contain("ehr-graph ingest --force");
    }

    [Fact]
    public async Task Should_ReportTheChecksum_When_AStoreBlockOrIndexHasAFlippedByte()
    {
        // Given a good store: it opens and every patient reads
        using var dir = new TempDirectory();
        MimicFixture.WriteMinimalHosp(dir.Path);
        var store = dir.Combine("out", "store");
        await Ingest(dir.Path, store);
        using (var good = TrajectoryStore.Open(store))
        {
            good.ReadAll().Sum(p => p.Events.Count).Should().BePositive();
        }

        // When a byte inside the first event block is flipped (just after the 8-byte magic)
        var data = Path.Combine(store, "trajectories.dat");
        var bytes = File.ReadAllBytes(data);
        bytes[9] ^= 0x01;
        File.WriteAllBytes(data, bytes);

        // Then reading it names the data file and the checksum
        using (var damaged = TrajectoryStore.Open(store))
        {
            var read = () => damaged.ReadAll().Sum(p => p.Events.Count);
            read.Should().Throw<InputDataException>().Which.Message.Should().Contain(data).And.Contain("checksum").And.Contain("ehr-graph ingest --force");
        }

        // And a flipped byte in blocks.bin's entries stops the open
        var blocks = Path.Combine(store, "blocks.bin");
        var entries = File.ReadAllBytes(blocks);
        entries[16 + 4] ^= 0x01;
        File.WriteAllBytes(blocks, entries);
        var open = () => TrajectoryStore.Open(store);
        open.Should().Throw<InputDataException>().Which.Message.Should().Contain(blocks).And.Contain("checksum");
    }

    [Fact]
    public async Task Should_SpillManyRunsAndKeepEveryRow_When_SortBufferIsSmall()
    {
        using var dir = new TempDirectory();
        var sb = new StringBuilder("labevent_id,subject_id,hadm_id,specimen_id,itemid,order_provider_id,charttime,storetime,value,valuenum,valueuom,ref_range_lower,ref_range_upper,flag,priority,comments\n");
        var rng = new Random(7);
        const int rows = 200_000;
        for (var i = 0; i < rows; i++)
        {
            var subject = 1 + rng.Next(50);
            sb.Append(i).Append(',').Append(subject).Append(",,1,50808,,2150-01-").Append((1 + rng.Next(28)).ToString("D2", System.Globalization.CultureInfo.InvariantCulture))
              .Append(" 10:00:00,,1,1,mg,,,,ROUTINE,").Append(new string('x', 40)).Append('\n');
        }

        MimicFixture.Write(dir.Path, "hosp/labevents", sb.ToString(), gzip: true);
        MimicFixture.Write(dir.Path, "hosp/patients", "subject_id,gender,anchor_age,anchor_year,anchor_year_group,dod\n1,F,40,2150,2011 - 2013,\n");
        var result = await Ingest(dir.Path, dir.Combine("store"), s => s with { SortBufferBytes = 16L << 20, Workers = 1 });
        result.Counts["rows"].Should().Be(rows + 1);
        using var store = TrajectoryStore.Open(dir.Combine("store"));
        store.RowCount.Should().Be(rows + 1);
        long seen = 0;
        foreach (var t in store.ReadAll())
        {
            DateTime? last = null;
            foreach (var e in t.Events.Where(e => e.Table != "patients"))
            {
                foreach (var item in e.Items)
                {
                    var time = DateTime.Parse(item.Get("charttime")!, System.Globalization.CultureInfo.InvariantCulture);
                    (last is null || time >= last).Should().BeTrue();
                    last = time;
                    seen++;
                }
            }
        }

        seen.Should().Be(rows);
    }

    public static TheoryData<string, string, string?, long?> BadInputs => new()
    {
        { "missing-column", "hosp/admissions.csv", "admittime", 1 },
        { "bad-timestamp", "hosp/admissions.csv", "admittime", 3 },
        { "truncated-gzip", "hosp/labevents.csv.gz", null, null },
        { "wrong-delimiter", "hosp/patients.csv", null, 1 },
        { "non-utf8", "hosp/admissions.csv", "admission_location", 3 },
        { "empty-file", "hosp/omr.csv", null, 1 },
        { "field-count", "hosp/admissions.csv", null, 2 },
        { "bad-id", "hosp/admissions.csv", "hadm_id", 2 },
    };

    [Theory]
    [MemberData(nameof(BadInputs))]
    public async Task Should_ThrowInputDataExceptionNamingFileLineField_When_InputIsBad(string kind, string file, string? field, long? line)
    {
        using var dir = new TempDirectory();
        MimicFixture.WriteMinimalHosp(dir.Path);
        const string secret = "SECRET-CELL-TEXT";
        var admHeader = "subject_id,hadm_id,admittime,dischtime,deathtime,admission_type,admission_location,discharge_location\n";
        switch (kind)
        {
            case "missing-column":
                MimicFixture.Write(dir.Path, "hosp/admissions", admHeader.Replace("admittime", "admit_time", StringComparison.Ordinal) + "1,100,2150-01-01 10:00:00,,,EW,ER,HOME\n");
                break;
            case "bad-timestamp":
                MimicFixture.Write(dir.Path, "hosp/admissions", admHeader + "1,100,2150-01-01 10:00:00,,,EW,ER,HOME\n1,101,01/02/2150 " + secret + ",,,EW,ER,HOME\n");
                break;
            case "truncated-gzip":
                {
                    var sb = new StringBuilder("labevent_id,subject_id,hadm_id,specimen_id,itemid,order_provider_id,charttime,storetime,value,valuenum,valueuom,ref_range_lower,ref_range_upper,flag,priority,comments\n");
                    var rng = new Random(3);
                    for (var i = 0; i < 20000; i++)
                    {
                        sb.Append(i).Append(",1,,1,").Append(rng.Next(100000)).Append(",,2150-01-01 10:00:00,,").Append(rng.Next()).Append(",1,mg,,,,ROUTINE,\n");
                    }

                    using var ms = new MemoryStream();
                    using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
                    {
                        gz.Write(Encoding.UTF8.GetBytes(sb.ToString()));
                    }

                    MimicFixture.WriteBytes(dir.Path, "hosp/labevents.csv.gz", ms.ToArray()[..(int)(ms.Length / 2)]);
                    break;
                }

            case "wrong-delimiter":
                MimicFixture.Write(dir.Path, "hosp/patients", "subject_id\tgender\tanchor_age\tanchor_year\tanchor_year_group\tdod\n1\tF\t40\t2150\t2011\t\n");
                break;
            case "non-utf8":
                {
                    var bytes = Encoding.UTF8.GetBytes(admHeader + "1,100,2150-01-01 10:00:00,,,EW,ER,HOME\n1,101,2150-01-02 10:00:00,,,EW,CAF").Concat(new byte[] { 0xE9 })
                        .Concat(Encoding.UTF8.GetBytes(",HOME\n")).ToArray();
                    MimicFixture.WriteBytes(dir.Path, "hosp/admissions.csv", bytes);
                    break;
                }

            case "empty-file":
                MimicFixture.WriteBytes(dir.Path, "hosp/omr.csv", []);
                break;
            case "field-count":
                MimicFixture.Write(dir.Path, "hosp/admissions", admHeader + "1,100,2150-01-01 10:00:00,,,EW,ER\n");
                break;
            case "bad-id":
                MimicFixture.Write(dir.Path, "hosp/admissions", admHeader + "1," + secret + ",2150-01-01 10:00:00,,,EW,ER,HOME\n");
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(kind));
        }

        var output = dir.Combine("out", "store");
        var act = () => Ingest(dir.Path, output);
        var ex = (await act.Should().ThrowAsync<InputDataException>()).Which;
        ex.File.Replace('\\', '/').Should().Be(file);
        if (field is not null)
        {
            ex.Field.Should().Be(field);
        }

        if (line is not null)
        {
            ex.LineNumber.Should().Be(line);
        }

        ex.Message.Should().Contain("Expected").And.Contain("Found").And.NotContain(secret).And.NotContain("CAF");
        Directory.Exists(output).Should().BeFalse("no partial output is left behind");
        Directory.EnumerateDirectories(dir.Combine("out")).Should().BeEmpty("the staging folder is removed");
    }
}
