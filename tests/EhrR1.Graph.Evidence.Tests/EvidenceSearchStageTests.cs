using System.Text.Json;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.Formats;
using EhrR1.Graph.Evidence.Stage;
using EhrR1.Graph.Evidence.Synthetic;
using EhrR1.Graph.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Evidence.Tests;

public sealed class EvidenceSearchStageTests : IDisposable
{
    private readonly TempDirectory _dir = new("ehrr1-evidence-");
    private readonly SyntheticEvidenceWorkload _workload;

    public EvidenceSearchStageTests()
    {
        _workload = new SyntheticEvidenceWorkload(seed: 11, scale: 0.05, samplesPerTask: 120, tasks: 2);
        _workload.WriteTo(_dir.Path);
    }

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Should_WriteOneRecordPerSampleInInputOrder_When_RunWithDefaults()
    {
        // When
        var output = await RunAsync("all.jsonl", s => s);

        // Then
        var records = Read(output);
        records.Select(r => r.SampleId).Should().Equal(_workload.Samples.Select(s => s.SampleId));
        records.Select(r => r.Status).Should().OnlyContain(s => EvidenceStatus.All.Contains(s));
        records.Should().Contain(r => r.Status == EvidenceStatus.Graph);
        records.Should().Contain(r => r.Status != EvidenceStatus.Graph, "samples without a graph are recorded, not dropped");
        foreach (var r in records)
        {
            r.Counts.Paths.Should().Be(r.Paths.Count);
            r.Counts.Pairs.Should().Be(r.Pairs.Count);
            (r.Status == EvidenceStatus.Graph).Should().Be(r.Paths.Count > 0);
            r.Pairs.All(p => p.Lift > 5).Should().BeTrue();
            r.Pairs.GroupBy(p => p.Target).All(g => g.Count() <= 20).Should().BeTrue();
            var sample = _workload.Samples.Single(s => s.SampleId == r.SampleId);
            r.Pairs.All(p => sample.History!.Contains(p.History)).Should().BeTrue("only visible history concepts are paired by default");
            foreach (var p in r.Paths)
            {
                var pair = r.Pairs.First(x => x.Target == p.Target && x.History == p.History && x.Status == "path");
                p.Nodes[0].Cui.Should().Be(pair.TargetCui);
                p.Nodes[^1].Cui.Should().Be(pair.HistoryCui);
                p.Hops.Should().HaveCount(p.Nodes.Count - 1);
                p.Nodes.Select(n => n.Cui).Should().OnlyHaveUniqueItems();
            }

            r.Rendered.Split('\n', StringSplitOptions.RemoveEmptyEntries).Should().HaveCount(r.Paths.Count);
        }
    }

    [Fact]
    public async Task Should_ProduceIdenticalBytes_When_ThreadCountAndCacheDiffer()
    {
        // When
        var one = await RunAsync("one.jsonl", s => s with { DegreeOfParallelism = 1, PairCacheCapacity = 0, BatchSize = 7 });
        var four = await RunAsync("four.jsonl", s => s with { DegreeOfParallelism = 4, BatchSize = 64 });

        // Then
        File.ReadAllBytes(four).Should().Equal(File.ReadAllBytes(one));
    }

    [Fact]
    public async Task Should_SplitSamplesDisjointlyAndCompletely_When_Sharded()
    {
        // Given
        var full = File.ReadAllLines(await RunAsync("full.jsonl", s => s));

        // When
        var shards = new List<string[]>();
        for (var i = 0; i < 3; i++)
        {
            var index = i;
            shards.Add(File.ReadAllLines(await RunAsync($"shard{i}.jsonl", s => s with { ShardIndex = index, ShardCount = 3 })));
        }

        // Then
        shards.Should().OnlyContain(s => s.Length > 0);
        shards.SelectMany(s => s).Should().BeEquivalentTo(full);
        shards.SelectMany(s => s).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Should_ContinueWithoutLossOrRepeat_When_ResumedAfterATornWrite()
    {
        // Given an uninterrupted reference run and a partial file cut in the middle of a line
        var reference = await RunAsync("reference.jsonl", s => s);
        var bytes = File.ReadAllBytes(reference);
        var cut = Array.IndexOf(bytes, (byte)'\n', bytes.Length / 3) + 40;
        var output = _dir.Combine("resumed.jsonl");
        File.WriteAllBytes(ResumableJsonlOutput.PartialPathFor(output), bytes[..cut]);

        // When
        var withoutResume = () => RunAsync("resumed.jsonl", s => s);
        await withoutResume.Should().ThrowAsync<StageConfigurationException>();
        await RunAsync("resumed.jsonl", s => s with { Resume = true, DegreeOfParallelism = 3 });

        // Then
        File.ReadAllBytes(output).Should().Equal(bytes);
        File.Exists(ResumableJsonlOutput.PartialPathFor(output)).Should().BeFalse();
    }

    [Fact]
    public async Task Should_PairHiddenHistory_When_UpstreamHistoryModeIsChosen()
    {
        // When
        var clean = Read(await RunAsync("clean.jsonl", s => s));
        var upstream = Read(await RunAsync("upstream.jsonl", s => s with { History = HistoryMode.Upstream }));

        // Then
        upstream.Sum(r => r.Pairs.Count).Should().BeGreaterThanOrEqualTo(clean.Sum(r => r.Pairs.Count));
        var leaked = upstream.SelectMany(r => r.Pairs.Select(p => (r.SampleId, p.History)))
            .Count(x => !_workload.Samples.Single(s => s.SampleId == x.SampleId).History!.Contains(x.History));
        leaked.Should().BeGreaterThan(0, "the upstream mode pairs concepts of hidden events");
    }

    [Fact]
    public async Task Should_NameTheLine_When_ASampleHasNoId()
    {
        // Given
        var samples = _dir.Combine("bad.jsonl");
        await File.WriteAllTextAsync(samples, "{\"sample_id\":\"a:1:2\",\"task\":\"task0\",\"targets\":[],\"history\":[]}\n{\"task\":\"task0\"}\n");

        // When
        var act = () => RunAsync("bad-out.jsonl", s => s with { SamplesPath = samples });

        // Then
        var error = (await act.Should().ThrowAsync<InputDataException>()).Which;
        error.LineNumber.Should().Be(2);
        error.Field.Should().Be("sample_id");
        File.Exists(_dir.Combine("bad-out.jsonl")).Should().BeFalse();

        // and no empty partial output blocks the plain rerun once the input is fixed
        File.Exists(ResumableJsonlOutput.PartialPathFor(_dir.Combine("bad-out.jsonl"))).Should().BeFalse();
        await File.WriteAllTextAsync(samples, "{\"sample_id\":\"a:1:2\",\"task\":\"task0\",\"targets\":[],\"history\":[]}\n");
        Read(await RunAsync("bad-out.jsonl", s => s with { SamplesPath = samples })).Should().ContainSingle();
    }

    private async Task<string> RunAsync(string name, Func<EvidenceSettings, EvidenceSettings> configure)
    {
        var settings = configure(new EvidenceSettings { SamplesPath = _dir.Combine("samples.jsonl"), OutputPath = _dir.Combine(name), Mode = SearchMode.Upstream });
        var (builder, _, _) = await EvidenceStageFactory.LoadAsync(settings, _dir.Combine("graph"), _dir.Combine("cooccurrence.jsonl"), null, GraphKind.Umls, EvidenceDefaults.ExcludedRelas, CancellationToken.None);
        var stage = new EvidenceSearchStage(builder, NullLogger.Instance);
        await stage.RunAsync(null, CancellationToken.None);
        return settings.OutputPath;
    }

    private static List<EvidenceRecord> Read(string path) =>
        File.ReadLines(path).Select(l => JsonSerializer.Deserialize<EvidenceRecord>(l)!).ToList();
}
