using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core;
using EhrR1.Graph.Tasks.Definitions;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Tests.Support;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Model;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit.Abstractions;

namespace EhrR1.Graph.Tasks.Tests.Indexing;

/// <summary>The task index of the real MIMIC-IV demo (store built by the ingest stage into a temp folder).</summary>
public sealed class DemoIndexTests(DemoIndexTests.DemoFixture fixture, ITestOutputHelper output) : IClassFixture<DemoIndexTests.DemoFixture>
{
    public sealed class DemoFixture : IDisposable
    {
        private readonly Lazy<(TrajectoryStore Store, string Index)> _built;
        private readonly Lazy<string> _upstream;

        public DemoFixture()
        {
            _built = new(Build);
            _upstream = new(() =>
            {
                var index = Temp.Combine("index-upstream");
                new TaskIndexBuilder().RunAsync(Store, new TaskIndexSettings { StorePath = Temp.Combine("store"), OutputDirectory = index, WindowMode = ContextWindowMode.Upstream }, null, CancellationToken.None).GetAwaiter().GetResult();
                return index;
            });
        }

        public TempDirectory Temp { get; } = new();

        public TrajectoryStore Store => _built.Value.Store;

        public string Index => _built.Value.Index;

        /// <summary>The same demo indexed with <c>--window upstream</c>.</summary>
        public string UpstreamIndex => _upstream.Value;

        public void Dispose()
        {
            if (_built.IsValueCreated)
            {
                _built.Value.Store.Dispose();
            }

            Temp.Dispose();
        }

        private (TrajectoryStore, string) Build()
        {
            var demo = TestPaths.Dataset("mimic-iv-demo-2.2");
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            if (DataLocations.FindDataset("mimic-iv-demo-2.2-chartevents-subset") is { } chart)
            {
                extra["icu/chartevents"] = Path.Combine(chart, "chartevents.csv.gz");
            }

            var storePath = Temp.Combine("store");
            new IngestStage(NullLogger.Instance).RunAsync(new IngestSettings(demo, storePath) { ExtraTables = extra }, null, CancellationToken.None).GetAwaiter().GetResult();
            var store = TrajectoryStore.Open(storePath);
            var index = Temp.Combine("index");
            new TaskIndexBuilder().RunAsync(store, new TaskIndexSettings { StorePath = storePath, OutputDirectory = index }, null, CancellationToken.None).GetAwaiter().GetResult();
            return (store, index);
        }
    }

    private IEnumerable<TaskIndexRow> Rows(string task) => Rows(fixture.Index, task);

    private static IEnumerable<TaskIndexRow> Rows(string index, string task)
    {
        var file = TaskIndexLayout.TaskFile(index, task);
        return File.Exists(file) ? File.ReadLines(file).Select(l => JsonSerializer.Deserialize<TaskIndexRow>(l)!) : [];
    }

    [RequiresDataFact]
    [Trait("Category", "Slow")]
    public void Should_IndexTheDemoWithinTheWindowInvariants_When_EveryTaskIsEnumerated()
    {
        var manifest = EhrR1.Graph.Core.IO.RunManifest.TryLoad(Path.Combine(fixture.Index, "manifest.json"))!;
        foreach (var task in TaskCatalog.All)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{task.Name,-24} {manifest.Counts["task." + task.Name],8:N0}"));
        }

        manifest.Counts["patients"].Should().Be(100);
        foreach (var name in new[] { "admissions", "labevents", "prescriptions", "emar", "poe", "transfers", "services", "next_event", "chartevents", "inputevents", "Inpatient_Mortality", "LengthOfStay_3day", "ICU_Stay_7day", "ICU_Mortality_1day" })
        {
            manifest.Counts["task." + name].Should().BePositive(name);
        }

        var ids = new HashSet<string>(StringComparer.Ordinal);
        var window = TimeSpan.FromHours(24);
        long checkedRows = 0;
        PatientTrajectory? patient = null;
        foreach (var task in TaskCatalog.All.Where(t => !t.IsRisk))
        {
            foreach (var row in Rows(task.Name))
            {
                ids.Add(row.SampleId).Should().BeTrue(row.SampleId);
                row.Target.Should().NotBeEmpty().And.OnlyContain(l => l.Trim().Length > 0);
                row.SampleId.Should().Be($"{task.Name}:{row.SubjectId}:{row.TargetIndex}");
                if (patient?.SubjectId != row.SubjectId)
                {
                    fixture.Store.TryRead(row.SubjectId, out patient).Should().BeTrue();
                }

                var ev = patient!.Events;
                var timed = row.TargetIndex;
                while (ev[timed].StartTime is null && timed > 0)
                {
                    timed--;
                }

                var targetTime = ev[timed].StartTime;
                row.ContextEnd.Should().Be(row.TargetIndex);
                row.ContextBegin.Should().BeInRange(1, row.TargetIndex - 1);
                for (var k = row.ContextBegin; k < row.ContextEnd; k++)
                {
                    (ev[k].HadmId is null || ev[k].HadmId == row.HadmId).Should().BeTrue(row.SampleId);
                    if (ev[k].StartTime is { } t)
                    {
                        (targetTime!.Value - t).Should().BeLessThan(window, row.SampleId);
                    }
                }

                ev[row.ContextBegin].HadmId.Should().Be(row.HadmId, row.SampleId);
                checkedRows++;
            }
        }

        checkedRows.Should().BeGreaterThan(10_000);
    }

    /// <summary>Issue 22 point 4 on the demo cases it names: default instances that upstream does not emit.</summary>
    [RequiresDataFact]
    public void Should_DropAnchorOnlyRiskInstancesAndHcpcsOnlyContexts_When_IndexedInUpstreamMode()
    {
        // Given / When
        var contiguous = TaskCatalog.All.SelectMany(t => Rows(fixture.Index, t.Name)).ToDictionary(r => r.SampleId, StringComparer.Ordinal);
        var upstream = TaskCatalog.All.SelectMany(t => Rows(fixture.UpstreamIndex, t.Name)).ToDictionary(r => r.SampleId, StringComparer.Ordinal);

        // Then: the admission of 10003400 has no same-admission event in the next 24 h
        foreach (var task in new[] { "Inpatient_Mortality", "LengthOfStay_3day", "LengthOfStay_7day" })
        {
            var id = task + ":10003400:1922";
            (contiguous[id].ContextBegin, contiguous[id].ContextEnd).Should().Be((1922, 1923), id);
            upstream.Should().NotContainKey(id);
        }

        // the admission of 10012853 at 542 has only an hcpcs row dated at midnight before it
        fixture.Store.TryRead(10012853, out var patient).Should().BeTrue();
        patient.Events[541].Table.Should().Be("hcpcsevents");
        (contiguous["admissions:10012853:542"].ContextBegin, contiguous["admissions:10012853:542"].ContextEnd).Should().Be((541, 542));
        upstream.Should().NotContainKey("admissions:10012853:542");

        // no upstream window begins or ends at an hcpcs row, and no upstream risk window holds only its anchor
        PatientTrajectory? current = null;
        foreach (var row in upstream.Values)
        {
            if (current?.SubjectId != row.SubjectId)
            {
                fixture.Store.TryRead(row.SubjectId, out current).Should().BeTrue();
            }

            var risk = TaskCatalog.ByName[row.Task].IsRisk;
            current!.Events[risk ? row.ContextEnd - 1 : row.ContextBegin].Table.Should().NotBe("hcpcsevents", row.SampleId);
            if (risk)
            {
                (row.ContextEnd - row.ContextBegin).Should().BeGreaterThan(1, row.SampleId);
            }
        }

        output.WriteLine($"instances: contiguous {contiguous.Count}, upstream {upstream.Count}; default anchor-only risk instances {contiguous.Values.Count(r => TaskCatalog.ByName[r.Task].IsRisk && r.ContextEnd - r.ContextBegin == 1)}");
    }

    /// <summary>Issue 22 point 4: upstream's target_weight is 1 / mean label count, ours 1 / mean label share.</summary>
    [RequiresDataFact]
    public void Should_WeighByLabelCountsInUpstreamModeAndByLabelSharesByDefault_When_TheDemoIsIndexed()
    {
        foreach (var (index, byCount) in new[] { (fixture.Index, false), (fixture.UpstreamIndex, true) })
        {
            var counts = File.ReadLines(Path.Combine(index, TaskIndexLayout.LabelsFile)).Select(l => JsonSerializer.Deserialize<LabelCounts>(l)!)
                .ToDictionary(c => c.Task, StringComparer.Ordinal);
            foreach (var task in new[] { "Inpatient_Mortality", "admissions", "labevents", "transfers" })
            {
                var labelCounts = counts[task].Labels.ToDictionary(l => l.Label, l => (double)l.Count, StringComparer.Ordinal);
                double n = counts[task].Instances;
                foreach (var row in Rows(index, task))
                {
                    var mean = row.Target.Average(l => labelCounts[l]);
                    row.TargetWeight.Should().BeApproximately(byCount ? 1 / mean : n / mean, 1e-9 * row.TargetWeight, row.SampleId);
                }
            }
        }
    }

    [RequiresDataFact]
    public void Should_AgreeWithTheAdmissionTimesAndDod_When_RiskLabelsAreRead()
    {
        var checkedRows = 0;
        foreach (var row in Rows("Inpatient_Mortality").Concat(Rows("LengthOfStay_3day")).Concat(Rows("ICU_Stay_7day")))
        {
            fixture.Store.TryRead(row.SubjectId, out var patient).Should().BeTrue();
            var anchor = patient.Events[row.TargetIndex].Items[0];
            var dodText = patient.Events[0].Items[0].Get("dod");
            DateTime? dod = dodText is null ? null : DateTime.ParseExact(dodText, "yyyy-MM-dd", CultureInfo.InvariantCulture);
            DateTime Time(string key) => DateTime.ParseExact(anchor.Get(key)!, "yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
            var expected = row.Task switch
            {
                "Inpatient_Mortality" => dod is { } d && d <= Time("dischtime"),
                "LengthOfStay_3day" => Time("dischtime") - Time("admittime") > TimeSpan.FromDays(3),
                _ => Time("outtime") - Time("intime") >= TimeSpan.FromDays(7),
            };
            row.Target.Should().Equal([expected ? "yes" : "no"], row.SampleId);
            var hadm = patient.Events[row.TargetIndex].HadmId;
            for (var k = row.ContextBegin; k < row.ContextEnd; k++)
            {
                (patient.Events[k].HadmId is null || patient.Events[k].HadmId == hadm).Should().BeTrue(row.SampleId);
            }

            checkedRows++;
        }

        checkedRows.Should().BeGreaterThan(500);
        Rows("Inpatient_Mortality").Should().Contain(r => r.Target[0] == "yes").And.Contain(r => r.Target[0] == "no");
    }

    /// <summary>
    /// The outcome-leak golden check (issue 22), independent of the index's own guard: in both window modes, every
    /// input window of every task ends before its prediction time and holds no discharge-time list
    /// (<see cref="WindowLeakCheck"/>). The demo has no ED stays and no notes; the fixtures cover those families.
    /// </summary>
    [RequiresDataFact]
    [Trait("Category", "Slow")]
    public void Should_EndEveryInputWindowBeforeItsPredictionTime_When_AnyTaskIsIndexedInEitherWindowMode()
    {
        foreach (var (mode, index) in new[] { ("contiguous", fixture.Index), ("upstream", fixture.UpstreamIndex) })
        {
            var windowsByFamily = new Dictionary<string, long>(StringComparer.Ordinal);
            PatientTrajectory? patient = null;
            foreach (var task in TaskCatalog.All)
            {
                foreach (var row in Rows(index, task.Name))
                {
                    if (patient?.SubjectId != row.SubjectId)
                    {
                        fixture.Store.TryRead(row.SubjectId, out patient).Should().BeTrue();
                    }

                    var family = WindowLeakCheck.Assert(patient!, task, row.SampleId, row.TargetIndex, row.ContextBegin, row.ContextEnd, mode + " ");
                    windowsByFamily[family] = windowsByFamily.GetValueOrDefault(family) + 1;
                }
            }

            output.WriteLine(mode + ": " + string.Join(", ", windowsByFamily.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => $"{kv.Key} {kv.Value}")));
            windowsByFamily.Keys.Should().BeEquivalentTo(["decision", "admissions", "icustays"], mode);
            windowsByFamily.Values.Should().OnlyContain(n => n >= 100, mode);

            // The windows of issue 22: they ran into the diagnosis list that follows the admission's last timed event.
            foreach (var task in TaskCatalog.All.Where(t => t.IsRisk && t.Name.StartsWith("ICU_", StringComparison.Ordinal)))
            {
                var rows = Rows(index, task.Name).ToDictionary(r => r.SampleId, StringComparer.Ordinal);
                rows.Should().HaveCount(140, $"{mode} {task.Name}");
                rows[task.Name + ":10017492:277"].ContextEnd.Should().Be(287, $"{mode} {task.Name}");
                rows[task.Name + ":10025463:66"].ContextEnd.Should().Be(142, $"{mode} {task.Name}");
            }
        }
    }
}
