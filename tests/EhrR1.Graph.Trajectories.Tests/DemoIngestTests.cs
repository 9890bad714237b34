using System.Globalization;
using System.IO.Compression;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Rendering;

namespace EhrR1.Graph.Trajectories.Tests;

public sealed class DemoIngestTests(DemoStoreFixture demo) : IClassFixture<DemoStoreFixture>
{
    [RequiresDataFact]
    public void Should_HaveDemoCounts_When_IngestingTheDemo()
    {
        var c = demo.Result.Counts;
        c["patients"].Should().Be(100);
        c["rows.patients"].Should().Be(100);
        c["rows.admissions"].Should().Be(275);
        c["rows.icustays"].Should().Be(140);
        c["rows.labevents"].Should().Be(107_727);
        c["rows.prescriptions"].Should().Be(18_087);
        c["rows.emar"].Should().Be(35_835);
        c["rows.poe"].Should().Be(45_154);
        c["rows.diagnoses_icd"].Should().Be(4_506);
        c["rows.chartevents"].Should().Be(59_225);
        c["events.patients"].Should().Be(100);
        c["events.admissions"].Should().Be(275, "admissions rows are never consecutive");
        c["events.icustays"].Should().Be(140);
        c["events.diagnoses_icd"].Should().Be(275, "each admission's diagnoses form one event after its rows");
        demo.Store.SubjectIds.Should().HaveCount(100).And.BeInAscendingOrder();
        demo.Store.EventCount.Should().Be(c["events"]);
        c.Where(kv => kv.Key.StartsWith("events.", StringComparison.Ordinal)).Sum(kv => kv.Value).Should().Be(c["events"]);
    }

    [RequiresDataFact]
    public void Should_StoreEveryInputRowOnce_When_IngestingTheDemo()
    {
        var c = demo.Result.Counts;
        long total = 0;
        foreach (var spec in TableCatalog.All)
        {
            var path = IngestStage.FindCsv(demo.Demo, spec.Module, spec.Name);
            if (path is null)
            {
                continue;
            }

            var records = CountRecords(path);
            c["rows." + spec.Name].Should().Be(records, spec.Name);
            total += records;
        }

        total += c["rows.chartevents"];
        c["rows"].Should().Be(total);
        demo.Store.RowCount.Should().Be(total);
        var stored = demo.Store.ReadAll().SelectMany(t => t.Events).Sum(e => (long)e.Items.Count);
        stored.Should().Be(total);

        // No row is duplicated: every labevent_id appears exactly once.
        var ids = demo.Store.ReadAll().SelectMany(t => t.Events).Where(e => e.Table == "labevents")
            .SelectMany(e => e.Items).Select(i => i.Get("labevent_id")).ToList();
        ids.Should().OnlyHaveUniqueItems().And.HaveCount(107_727);
    }

    [RequiresDataFact]
    public void Should_KeepOrderingInvariants_When_ReadingEveryPatient()
    {
        foreach (var t in demo.Store.ReadAll())
        {
            t.Events[0].Table.Should().Be("patients");
            t.Events.Skip(1).Should().NotContain(e => e.Table == "patients");
            for (var i = 1; i < t.Events.Count; i++)
            {
                t.Events[i].Table.Should().NotBe(t.Events[i - 1].Table, "consecutive same-table rows form one event");
            }

            DateTime? last = null;
            var seenHadm = new HashSet<long>();
            foreach (var e in t.Events)
            {
                if (e.HadmId is { } h)
                {
                    seenHadm.Add(h);
                }

                foreach (var item in e.Items)
                {
                    item.Get("hadm_id")?.Should().NotContain(".", "ids stay integers");
                    var time = RowTime(e.Table, item);
                    if (time is null)
                    {
                        continue;
                    }

                    if (last is not null)
                    {
                        time.Should().BeOnOrAfter(last.Value, $"subject {t.SubjectId} {e.Table} rows are in time order");
                    }

                    last = time;
                }

                if (e.Table is "diagnoses_icd" or "drgcodes")
                {
                    e.StartTime.Should().BeNull();
                    if (e.HadmId is { } hadm && t.Events.Any(x => x.HadmId == hadm && x.StartTime is not null))
                    {
                        seenHadm.Should().Contain(hadm, "untimed rows follow their admission's timed rows");
                    }
                }
                else if (e.Table != "patients" && e.StartTime is { } s)
                {
                    e.EndTime.Should().NotBeNull();
                    e.EndTime!.Value.Should().BeOnOrAfter(s);
                }
            }
        }
    }

    [RequiresDataFact]
    public void Should_ReadEachPatientByIdEqualToStream_When_RandomAccess()
    {
        var streamed = demo.Store.ReadAll().ToDictionary(t => t.SubjectId, t => EventRenderer.RenderWindow(t, 0, t.Events.Count));
        foreach (var id in demo.Store.SubjectIds.Reverse())
        {
            demo.Store.TryRead(id, out var t).Should().BeTrue();
            EventRenderer.RenderWindow(t, 0, t.Events.Count).Should().Be(streamed[id]);
        }

        demo.Store.TryRead(1, out _).Should().BeFalse();
    }

    [RequiresDataFact]
    public void Should_DecodeOnlyTheBlocksOfAWindow_When_ReadingOneByIdWindow()
    {
        // Given the patient with the most events (many blocks) and its streamed rendering
        var store = demo.Store;
        store.BlockCount.Should().BeGreaterThan(store.SubjectIds.Count, "large patients are split into several blocks");
        var id = store.SubjectIds.MaxBy(store.EventCountOf);
        var streamed = store.ReadAll().Single(t => t.SubjectId == id);
        var n = streamed.Events.Count;
        var from = n / 2;
        var to = Math.Min(n, from + 40);

        // When a window and the demographics event are read by id
        var before = store.BlockReads;
        store.TryRead(id, out var lazy).Should().BeTrue();
        var window = EventRenderer.RenderWindow(lazy, from, to);
        var first = EventRenderer.Render(lazy.Events[0]);
        var decoded = store.BlockReads - before;

        // Then they match the stream, and only a few of the patient's blocks were decoded
        window.Should().Be(EventRenderer.RenderWindow(streamed, from, to));
        first.Should().Be(EventRenderer.Render(streamed.Events[0]));
        decoded.Should().BeInRange(2, 4);
        var all = store.BlockReads;
        EventRenderer.RenderWindow(lazy, 0, n).Should().Be(EventRenderer.RenderWindow(streamed, 0, n));
        (store.BlockReads - all).Should().BeGreaterThan(decoded, "the rest of the patient is decoded on demand");
        var again = store.BlockReads;
        _ = lazy.Events[n - 1];
        store.BlockReads.Should().Be(again, "decoded blocks are kept with the patient");
    }

    [RequiresDataFact]
    public void Should_GiveEqualEvents_When_ManyThreadsReadOnePatient()
    {
        var id = demo.Store.SubjectIds.MaxBy(demo.Store.EventCountOf);
        var expected = EventRenderer.RenderWindow(demo.Store.Read(id), 0, demo.Store.EventCountOf(id));
        demo.Store.TryRead(id, out var shared).Should().BeTrue();
        var results = new string[8];
        Parallel.For(0, results.Length, new ParallelOptions { MaxDegreeOfParallelism = 4 }, k =>
        {
            var t = k % 2 == 0 ? shared : demo.Store.Read(id);
            results[k] = EventRenderer.RenderWindow(t, 0, t.Events.Count);
        });
        results.Should().AllBe(expected);
    }

    [RequiresDataTheory]
    [InlineData(10014729L, 0, 6)]
    [InlineData(10004235L, 0, 10)]
    [InlineData(10018328L, 40, 52)]
    public void Should_RenderLikeGolden_When_RenderingDemoWindows(long subject, int from, int to)
    {
        var t = demo.Store.Read(subject);
        Golden.AssertMatches(EventRenderer.RenderWindow(t, from, to), $"ingest/render-{subject}-{from}-{to}.expected.md");
    }

    private static DateTime? RowTime(string table, Trajectories.Model.EventItem item)
    {
        string? text = table switch
        {
            "patients" or "diagnoses_icd" or "drgcodes" => null,
            "omr" or "procedures_icd" or "hcpcsevents" => item.Get("chartdate"),
            "pharmacy" => item.Get("entertime"),
            "poe" => item.Get("ordertime"),
            "prescriptions" or "ingredientevents" or "procedureevents" or "inputevents" => item.Get("starttime"),
            "services" => item.Get("transfertime"),
            "admissions" => item.Get("admittime"),
            "transfers" or "icustays" or "edstays" => item.Get("intime"),
            "microbiologyevents" => item.Get("charttime") ?? item.Get("chartdate"),
            _ => item.Get("charttime"),
        };
        return text is null ? null : DateTime.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>Counts CSV records independently of the reader under test (newlines outside quotes).</summary>
    private static long CountRecords(string path)
    {
        using var fs = File.OpenRead(path);
        using Stream s = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(fs, CompressionMode.Decompress) : fs;
        var buf = new byte[1 << 16];
        long lines = 0;
        var inQuotes = false;
        var last = (byte)'\n';
        int n;
        while ((n = s.Read(buf)) > 0)
        {
            for (var i = 0; i < n; i++)
            {
                var b = buf[i];
                if (b == (byte)'"')
                {
                    inQuotes = !inQuotes;
                }
                else if (b == (byte)'\n' && !inQuotes)
                {
                    lines++;
                }

                last = b;
            }
        }

        if (last != (byte)'\n')
        {
            lines++;
        }

        return lines - 1;
    }
}
