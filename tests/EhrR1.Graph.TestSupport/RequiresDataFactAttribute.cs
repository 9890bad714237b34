namespace EhrR1.Graph.TestSupport;

/// <summary>
/// A fact that needs a shared dataset (default: the MIMIC-IV demo). Skipped when the data is absent on a developer
/// machine; when <c>EHRR1_REQUIRE_INTEGRATION=1</c> (CI) the test runs and fails instead of skipping.
/// </summary>
public sealed class RequiresDataFactAttribute : FactAttribute
{
    public RequiresDataFactAttribute(string dataset = "mimic-iv-demo-2.2")
    {
        if (EhrR1.Graph.Core.DataLocations.FindDataset(dataset) is null && !TestPaths.RequireIntegration)
        {
            Skip = $"Shared dataset '{dataset}' not found (set EHRR1_DATA).";
        }
    }
}

/// <summary>The theory variant of <see cref="RequiresDataFactAttribute"/>.</summary>
public sealed class RequiresDataTheoryAttribute : TheoryAttribute
{
    public RequiresDataTheoryAttribute(string dataset = "mimic-iv-demo-2.2")
    {
        if (EhrR1.Graph.Core.DataLocations.FindDataset(dataset) is null && !TestPaths.RequireIntegration)
        {
            Skip = $"Shared dataset '{dataset}' not found (set EHRR1_DATA).";
        }
    }
}
