using EhrR1.Graph.Core.Pipeline;
using EhrR1.Graph.TestSupport;
using EhrR1.Graph.Umls.Matching;
using EhrR1.Graph.Umls.Sample;
using EhrR1.Graph.Umls.Tests.Support;

namespace EhrR1.Graph.Umls.Tests.Sample;

/// <summary>Builds the open sample vocabulary and its index once for the tests on real data.</summary>
public sealed class OpenVocabularyFixture : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly Lazy<(StageReport Report, UmlsIndex Index)> _built;

    public OpenVocabularyFixture()
    {
        _built = new Lazy<(StageReport, UmlsIndex)>(() =>
        {
            var report = new OpenVocabularyBuilder().BuildAsync(
                new SampleVocabularySettings { DataDirectory = TestPaths.DataRoot!, OutputDirectory = RrfDirectory },
                new Progress<StageProgress>(), CancellationToken.None).GetAwaiter().GetResult();
            TinyVocabulary.BuildIndexAsync(RrfDirectory, _dir.Combine("index"), minLength: 3).GetAwaiter().GetResult();
            return (report, UmlsIndex.Open(_dir.Combine("index")));
        });
    }

    public string RrfDirectory => _dir.Combine("vocab");

    public StageReport Report => _built.Value.Report;

    internal UmlsIndex Index => _built.Value.Index;

    public void Dispose()
    {
        if (_built.IsValueCreated)
        {
            _built.Value.Index.Dispose();
        }

        _dir.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class OpenVocabularyFixtureGroup : ICollectionFixture<OpenVocabularyFixture>
{
    public const string Name = "open vocabulary";
}
