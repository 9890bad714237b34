using EhrR1.Graph.Core.Concepts;

namespace EhrR1.Graph.Core.Tests;

/// <summary>A lab result's flag from its MIMIC-IV cells.</summary>
public sealed class LabResultFlagsTests
{
    [Theory]
    [InlineData("5.9", "3.3", "5.1", "abnormal", LabResultFlags.High)]
    [InlineData("2.8", "3.3", "5.1", "abnormal", LabResultFlags.Low)]
    [InlineData("4.2", "3.3", "5.1", null, null)]
    [InlineData("5.1", "3.3", "5.1", null, null)] // on the bound is normal
    [InlineData("140", null, "145", null, null)]
    [InlineData("150", null, "145", null, LabResultFlags.High)]
    [InlineData(null, null, null, "abnormal", LabResultFlags.Abnormal)] // a positive screen: no number, flagged
    [InlineData("NaN", "1", "2", "ABNORMAL", LabResultFlags.Abnormal)]
    [InlineData("1e3", "0", "1,5", null, null)] // a bound that is no invariant number is not used
    public void Should_FlagTheResult_When_ItsValueLiesOutsideItsRange_OrTheLabFlaggedIt(string? value, string? lower, string? upper, string? flag, string? expected) =>
        LabResultFlags.Of(value, lower, upper, flag).Should().Be(expected);

    [Fact]
    public void Should_NameTheFlagTheLabPhenotypeRelationsNeed_When_AskedByRelationName()
    {
        ClinicalRelations.LabResultOf(ClinicalRelations.HighResultIndicates).Should().Be((LabResultFlags.High, true));
        ClinicalRelations.LabResultOf(ClinicalRelations.IndicatedByLowResult).Should().Be((LabResultFlags.Low, false));
        ClinicalRelations.LabResultOf(ClinicalRelations.MayTreat).Should().BeNull();
        ClinicalRelations.InverseOfLabResult(ClinicalRelations.AbnormalResultIndicates).Should().Be(ClinicalRelations.IndicatedByAbnormalResult);
    }
}
