using EhrR1.Graph.Core;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Trajectories.Ingest;
using EhrR1.Graph.Trajectories.Store;
using Microsoft.Extensions.Logging.Abstractions;

namespace EhrR1.Graph.Trajectories.Tests;

/// <summary>Ingests the real MIMIC-IV demo (plus its chartevents subset) once per test class.</summary>
public sealed class DemoStoreFixture : IDisposable
{
    private readonly TempDirectory _dir = new("ehrr1-demo-");
    private readonly Lazy<(IngestResult Result, TrajectoryStore Store)> _built;

    public DemoStoreFixture()
    {
        _built = new Lazy<(IngestResult, TrajectoryStore)>(() =>
        {
            var demo = TestPaths.Dataset("mimic-iv-demo-2.2");
            var extra = new Dictionary<string, string>(StringComparer.Ordinal);
            if (DataLocations.FindDataset("mimic-iv-demo-2.2-chartevents-subset") is { } ce)
            {
                extra["icu/chartevents"] = Path.Combine(ce, "chartevents.csv.gz");
            }

            var settings = new IngestSettings(demo, _dir.Combine("store")) { ExtraTables = extra };
            var result = new IngestStage(NullLogger.Instance).RunAsync(settings, null, CancellationToken.None).GetAwaiter().GetResult();
            return (result, TrajectoryStore.Open(result.StorePath));
        });
    }

    public IngestResult Result => _built.Value.Result;

    public TrajectoryStore Store => _built.Value.Store;

    public string Demo { get; } = TestPaths.MimicDemo ?? string.Empty;

    public void Dispose()
    {
        if (_built.IsValueCreated)
        {
            _built.Value.Store.Dispose();
        }

        _dir.Dispose();
    }
}
