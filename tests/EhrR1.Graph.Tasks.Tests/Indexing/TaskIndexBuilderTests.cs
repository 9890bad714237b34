using System.Buffers.Binary;
using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.Tasks.Tests.Support;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Tasks.Tests.Indexing;

public sealed class TaskIndexBuilderTests
{
    private static async Task<(string Dir, EhrR1.Graph.Core.Pipeline.StageReport Report)> BuildAsync(TempDirectory temp, ContextWindowMode mode = ContextWindowMode.Contiguous)
    {
        using var store = new InMemoryTrajectoryStore(Fixtures.All());
        var dir = temp.Combine("index");
        var report = await new TaskIndexBuilder().RunAsync(store, new TaskIndexSettings { StorePath = "fixtures", OutputDirectory = dir, WindowMode = mode }, null, CancellationToken.None);
        return (dir, report);
    }

    private static List<TaskIndexRow> Rows(string dir, string task) =>
        [.. File.ReadLines(TaskIndexLayout.TaskFile(dir, task)).Select(l => JsonSerializer.Deserialize<TaskIndexRow>(l)!)];

    [Fact]
    public async Task Should_WriteOneFilePerTaskWithTheEnumeratedRows_When_StoreIsIndexed()
    {
        using var temp = new TempDirectory();
        var (dir, report) = await BuildAsync(temp);

        var expected = Fixtures.All().SelectMany(p => new TaskInstanceEnumerator().Enumerate(p)).ToList();
        report.Counts["instances"].Should().Be(expected.Count);
        report.Counts["patients"].Should().Be(4);
        foreach (var group in expected.GroupBy(i => i.Task))
        {
            Rows(dir, group.Key).Select(r => r.SampleId).Should().Equal(group.Select(i => i.SampleId), group.Key);
        }

        File.Exists(Path.Combine(dir, TaskIndexLayout.ManifestFile)).Should().BeTrue();
        Directory.GetFiles(dir, "*.part").Should().BeEmpty();
        RunManifest.TryLoad(Path.Combine(dir, "manifest.json"))!.Counts["task.labevents"].Should().Be(Rows(dir, "labevents").Count);
    }

    [Fact]
    public async Task Should_WeighRowsByInverseMeanLabelFrequency_When_TaskHasSeveralLabels()
    {
        using var temp = new TempDirectory();
        var (dir, _) = await BuildAsync(temp);

        // Readmission_30day: 1 instance, "yes" in all of them -> weight 1. Risk tasks with yes/no mixes weigh the rare label higher.
        Rows(dir, "Readmission_30day").Should().ContainSingle().Which.TargetWeight.Should().Be(1.0);
        var ed = Rows(dir, "ED_Hospitalization");
        ed.Should().HaveCount(3);
        ed.Single(r => r.Target[0] == "yes").TargetWeight.Should().BeApproximately(3.0, 1e-9, "1 of 3 instances is yes");
        ed.Where(r => r.Target[0] == "no").Should().OnlyContain(r => Math.Abs(r.TargetWeight - 1.5) < 1e-9);

        var labs = Rows(dir, "labevents");
        var n = (double)labs.Count;
        var glucose = labs.Count(r => r.Target.Contains("Glucose")) / n;
        var sodium = labs.Count(r => r.Target.Contains("Sodium")) / n;
        labs.Single(r => r.SampleId == "labevents:1:2").TargetWeight.Should().BeApproximately(1 / ((glucose + sodium) / 2), 1e-9);

        var counts = File.ReadLines(Path.Combine(dir, TaskIndexLayout.LabelsFile)).Select(l => JsonSerializer.Deserialize<LabelCounts>(l)!).ToDictionary(c => c.Task);
        counts["ED_Hospitalization"].Labels.Select(l => (l.Label, l.Count)).Should().Equal(("no", 2L), ("yes", 1L));
        counts["discharge"].Labels.Should().BeEmpty("note text is not counted");
    }

    [Fact] // Reproduces #22 (point 4)
    public async Task Should_WeighRowsByInverseMeanLabelCount_When_IndexedInUpstreamMode()
    {
        // Given
        using var temp = new TempDirectory();

        // When
        var (dir, _) = await BuildAsync(temp, ContextWindowMode.Upstream);

        // Then: upstream's get_sample_weight divides by the label's count, not its share of the task's instances
        var ed = Rows(dir, "ED_Hospitalization");
        ed.Should().HaveCount(3);
        ed.Single(r => r.Target[0] == "yes").TargetWeight.Should().BeApproximately(1.0, 1e-9, "1 instance is yes");
        ed.Where(r => r.Target[0] == "no").Should().OnlyContain(r => Math.Abs(r.TargetWeight - 0.5) < 1e-9, "2 instances are no");

        var labs = Rows(dir, "labevents");
        double glucose = labs.Count(r => r.Target.Contains("Glucose"));
        double sodium = labs.Count(r => r.Target.Contains("Sodium"));
        labs.Single(r => r.SampleId == "labevents:1:2").TargetWeight.Should().BeApproximately(1 / ((glucose + sodium) / 2), 1e-9);
        Rows(dir, "Readmission_30day").Should().ContainSingle().Which.TargetWeight.Should().Be(1.0);
        Rows(dir, "discharge").Should().OnlyContain(r => r.TargetWeight == 1.0, "notes weigh 1 in both modes");
    }

    [Fact]
    public async Task Should_FindAPatientsRowsThroughTheSubjectIndex_When_SeekingByOffset()
    {
        using var temp = new TempDirectory();
        var (dir, _) = await BuildAsync(temp);

        var bytes = File.ReadAllBytes(TaskIndexLayout.SubjectFile(dir, "next_event"));
        bytes.Length.Should().Be(4 * TaskIndexLayout.SubjectRecordSize);
        var subject = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(2 * TaskIndexLayout.SubjectRecordSize, 8));
        var offset = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((2 * TaskIndexLayout.SubjectRecordSize) + 8, 8));
        var count = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((2 * TaskIndexLayout.SubjectRecordSize) + 16, 4));
        subject.Should().Be(3);

        using var stream = File.OpenRead(TaskIndexLayout.TaskFile(dir, "next_event"));
        stream.Position = offset;
        using var reader = new StreamReader(stream);
        var rows = Enumerable.Range(0, count).Select(_ => JsonSerializer.Deserialize<TaskIndexRow>(reader.ReadLine()!)!).ToList();
        rows.Should().OnlyContain(r => r.SubjectId == 3);
        rows.Should().HaveCount(Rows(dir, "next_event").Count(r => r.SubjectId == 3));
    }

    [Fact]
    public async Task Should_RefuseToOverwrite_When_OutputExistsWithoutForce()
    {
        using var temp = new TempDirectory();
        var (dir, _) = await BuildAsync(temp);
        using var store = new InMemoryTrajectoryStore(Fixtures.All());

        var act = () => new TaskIndexBuilder().RunAsync(store, new TaskIndexSettings { StorePath = "fixtures", OutputDirectory = dir }, null, CancellationToken.None);
        await act.Should().ThrowAsync<StageConfigurationException>().WithMessage("*already exists*--force*");
        var bad = () => new TaskIndexBuilder().RunAsync(store, new TaskIndexSettings { StorePath = "fixtures", OutputDirectory = temp.Combine("x"), Tasks = new HashSet<string> { "lab_events" } }, null, CancellationToken.None);
        await bad.Should().ThrowAsync<StageConfigurationException>().WithMessage("--task lab_events: unknown task*");
    }
}
