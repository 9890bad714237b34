using System.Text.Json;
using EhrR1.Graph.Core.Formats;

namespace EhrR1.Graph.Core.Tests;

/// <summary>The one id rule for EHR-Bench records without a sample_id.</summary>
public sealed class EhrBenchSampleIdsTests
{
    [Fact]
    public void Should_DeriveOneIdFromTaskIdxAndText_When_ARecordHasNoSampleId()
    {
        using var withIdx = JsonDocument.Parse("""{"idx": 17, "instruction": "Which service?", "input": "## EHR"}""");
        using var stringIdx = JsonDocument.Parse("""{"idx": "17"}""");
        using var noIdx = JsonDocument.Parse("""{"input": "## EHR"}""");

        var id = EhrBenchSampleIds.Derive("services", EhrBenchSampleIds.IdxOf(withIdx.RootElement), 5, "Which service?", "## EHR");

        id.Should().MatchRegex("^services:idx17:[0-9a-f]{12}$");
        EhrBenchSampleIds.Derive("services", EhrBenchSampleIds.IdxOf(stringIdx.RootElement), 9, "Which service?", "## EHR").Should().Be(id, "a string idx is the same idx");
        EhrBenchSampleIds.Derive("services", EhrBenchSampleIds.IdxOf(noIdx.RootElement), 18, "Which service?", "## EHR").Should().Be(id, "without idx, the line number − 1");
        EhrBenchSampleIds.Derive("services", "17", 1, "Which service?", "## EHR, changed").Should().NotBe(id);
    }
}
