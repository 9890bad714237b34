using System.Globalization;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Sampling;
using EhrR1.Graph.Tasks.Tests.Support;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Model;
using static EhrR1.Graph.Tasks.Tests.Support.TrajectoryBuilder;

namespace EhrR1.Graph.Tasks.Tests.Sampling;

/// <summary>Sampling on a synthetic index: 60 patients, each one admission with 30 hourly lab events and an ICU stay.</summary>
public sealed class TaskSamplerTests : IClassFixture<TaskSamplerTests.IndexFixture>
{
    private readonly IndexFixture _fixture;

    public TaskSamplerTests(IndexFixture fixture) => _fixture = fixture;

    public sealed class IndexFixture : IDisposable
    {
        public IndexFixture()
        {
            var patients = new List<PatientTrajectory>();
            for (var s = 1; s <= 60; s++)
            {
                var b = new TrajectoryBuilder(s).Patient(dod: s % 4 == 0 ? "2150-01-02" : null);
                var start = new DateTime(2150, 1, 1, 0, 0, 0);
                b.Add("admissions", Stamp(start), s, Row("admittime", Stamp(start), "dischtime", Stamp(start.AddDays(s % 5)), "admission_type", "URGENT"));
                b.Add("icustays", Stamp(start.AddMinutes(30)), s, Row("intime", Stamp(start.AddMinutes(30)), "outtime", Stamp(start.AddDays(1 + (s % 9)))));
                for (var h = 1; h <= 30; h++)
                {
                    b.Add("labevents", Stamp(start.AddHours(h * 0.7)), s, Row("item_name", h % 3 == 0 ? "Sodium" : "Glucose"), Row("item_name", h % 7 == 0 ? "Lactate" : "Potassium"));
                }

                patients.Add(b.Build());
            }

            using var store = new InMemoryTrajectoryStore(patients);
            new TaskIndexBuilder().RunAsync(store, new TaskIndexSettings { StorePath = "synthetic", OutputDirectory = Temp.Combine("index") }, null, CancellationToken.None).GetAwaiter().GetResult();
            File.WriteAllText(Temp.Combine("caps.json"), "{\"labevents\": 40, \"next_event\": 25, \"ICU_Stay_7day\": 20, \"LengthOfStay_3day\": 1000}");
        }

        public TempDirectory Temp { get; } = new();

        public string Index => Temp.Combine("index");

        public string Caps => Temp.Combine("caps.json");

        public void Dispose() => Temp.Dispose();

        private static string Stamp(DateTime t) => t.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture);
    }

    private async Task<List<TaskIndexRow>> SampleAsync(string name, Func<SampleSettings, SampleSettings>? change = null)
    {
        var settings = new SampleSettings { IndexDirectory = _fixture.Index, ConfigPath = _fixture.Caps, OutputFile = _fixture.Temp.Combine(name + ".jsonl"), Force = true };
        settings = change?.Invoke(settings) ?? settings;
        await new TaskSampler().RunAsync(settings, null, CancellationToken.None);
        return [.. File.ReadLines(settings.OutputFile).Select(l => JsonSerializer.Deserialize<TaskIndexRow>(l)!)];
    }

    [Fact]
    public async Task Should_GiveTheSameSamples_When_SeedIsTheSame()
    {
        var a = await SampleAsync("a");
        var b = await SampleAsync("b");
        var c = await SampleAsync("c", s => s with { Seed = 7 });

        a.Select(r => r.SampleId).Should().Equal(b.Select(r => r.SampleId));
        a.Select(r => r.SampleId).Should().NotEqual(c.Select(r => r.SampleId));
        a.Select(r => r.SampleId).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Should_RespectCapsAndContextBounds_When_Sampling()
    {
        var rows = await SampleAsync("caps");

        rows.Count(r => r.Task == "labevents").Should().Be(40);
        rows.Count(r => r.Task == "next_event").Should().Be(25);
        rows.Count(r => r.Task == "ICU_Stay_7day").Should().Be(20);
        rows.Should().OnlyContain(r => r.ContextLength > 10 && r.ContextLength < 100);
        rows.Select(r => r.Task).Distinct().Should().Equal("labevents", "next_event", "LengthOfStay_3day", "ICU_Stay_7day");
        rows.Where(r => r.Task == "labevents").Select(r => (r.SubjectId, r.TargetIndex)).Should().BeInAscendingOrder();
    }

    [Fact]
    public async Task Should_ScaleEveryCap_When_ForceTaskNumIsAFraction()
    {
        var half = await SampleAsync("half", s => s with { ForceTaskNum = 0.5 });
        var fixedCount = await SampleAsync("fixed", s => s with { ForceTaskNum = 3 });

        half.Count(r => r.Task == "labevents").Should().Be(20);
        half.Count(r => r.Task == "ICU_Stay_7day").Should().Be(10);
        fixedCount.GroupBy(r => r.Task).Should().OnlyContain(g => g.Count() == 3);
    }

    [Fact]
    public async Task Should_TakeEqualCountsPerLabel_When_BalanceForceIsOn()
    {
        var rows = await SampleAsync("balanced", s => s with { BalanceForce = true });

        var icu = rows.Where(r => r.Task == "ICU_Stay_7day").GroupBy(r => r.Target[0]).ToDictionary(g => g.Key, g => g.Count());
        icu.Should().BeEquivalentTo(new Dictionary<string, int> { ["yes"] = 10, ["no"] = 10 });
    }

    [Fact]
    public async Task Should_SplitSubjectsDisjointly_When_ATestRatioIsGiven()
    {
        var train = await SampleAsync("train", s => s with { TestRatio = 0.3, Split = SplitPart.Train, ForceTaskNum = 100000 });
        var test = await SampleAsync("test", s => s with { TestRatio = 0.3, Split = SplitPart.Test, ForceTaskNum = 100000 });
        File.WriteAllLines(_fixture.Temp.Combine("subjects.txt"), ["subject_id", "5", "6"]);
        var listed = await SampleAsync("listed", s => s with { SubjectsFile = _fixture.Temp.Combine("subjects.txt") });

        var trainSubjects = train.Select(r => r.SubjectId).ToHashSet();
        var testSubjects = test.Select(r => r.SubjectId).ToHashSet();
        trainSubjects.Should().NotIntersectWith(testSubjects);
        (trainSubjects.Count + testSubjects.Count).Should().Be(60);
        testSubjects.Count.Should().BeInRange(8, 30);
        listed.Select(r => r.SubjectId).Distinct().Should().BeEquivalentTo(new long[] { 5, 6 });
    }

    [Fact]
    public async Task Should_ReportEveryConfigProblem_When_TheConfigNamesUnknownTasks()
    {
        File.WriteAllText(_fixture.Temp.Combine("bad.json"), "{\"lab_events\": 10, \"omr\": -1}");

        var act = () => SampleAsync("bad", s => s with { ConfigPath = _fixture.Temp.Combine("bad.json") });

        (await act.Should().ThrowAsync<StageConfigurationException>()).Which.Problems.Should().HaveCount(2);
    }
}
