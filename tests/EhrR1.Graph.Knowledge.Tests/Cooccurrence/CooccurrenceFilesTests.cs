using EhrR1.Graph.Core.IO;
using EhrR1.Graph.Knowledge.Cooccurrence;
using EhrR1.Graph.Knowledge.Extraction;
using EhrR1.Graph.Tasks.Indexing;
using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Knowledge.Tests.Cooccurrence;

public sealed class CooccurrenceFilesTests
{
    [Fact]
    public void Should_ReadBackTheSameTable_When_Written()
    {
        // Given
        using var tmp = new TempDirectory();
        EventConcepts Ev(int i, string task, string label) => new() { Index = i, Table = task, Labels = new Dictionary<string, IReadOnlyList<string>> { [task] = [label] } };
        var patients = Enumerable.Range(1, 4).Select(s => new PatientConcepts(s, [Ev(1, "prescriptions", s % 2 == 0 ? "KCl" : "Aspirin"), Ev(2, "labevents", s % 2 == 0 ? "Potassium" : "Sodium")])).ToList();
        var samples = Enumerable.Range(1, 4).Select(s => new TaskIndexRow { SampleId = "x", Task = "labevents", Event = "labevents", Target = [], SubjectId = s, TargetIndex = 2, ContextBegin = 1, ContextEnd = 2 }).ToList();
        var table = new CooccurrenceCounter(new CooccurrenceSettings { MinSupport = 1, Threshold = 1 }).Count(samples, patients, CancellationToken.None);
        var dir = tmp.Combine("cooccur");

        // When
        CooccurrenceFiles.Write(table, dir, force: false, new RunManifest { Stage = "graph cooccur" });
        var back = CooccurrenceFiles.Read(dir);

        // Then
        back.Pairs().Should().Equal(table.Pairs());
        back["labevents"]!.Samples.Should().Be(4);
        back["labevents"]!.DocumentFrequency.Should().BeEquivalentTo(table["labevents"]!.DocumentFrequency);
        File.Exists(Path.Combine(dir, "manifest.json")).Should().BeTrue();
        var statistics = File.ReadAllText(Path.Combine(dir, CooccurrenceFiles.StatisticsFile));
        statistics.Should().Contain("| labevents | 4 | 4 | 2 |", "4 samples, 4 concepts, 2 kept pairs")
            .And.Contain("| labevents | Potassium | KCl | 2 | 2 | 2 | 2.0 |");
    }
}
