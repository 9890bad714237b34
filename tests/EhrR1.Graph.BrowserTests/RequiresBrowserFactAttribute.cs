using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.BrowserTests;

/// <summary>
/// A fact that needs a real Neo4j server (<c>EHRR1_TEST_NEO4J_URI</c>) and a Chromium executable
/// (<c>EHRR1_CHROMIUM</c>, printed by <c>scripts/browser.sh install</c>, or Debian's <c>/usr/bin/chromium</c>).
/// Skipped when either is missing on a developer machine; when <c>EHRR1_REQUIRE_INTEGRATION=1</c> (CI) the test runs
/// and fails with a message saying what is missing.
/// </summary>
public sealed class RequiresBrowserFactAttribute : FactAttribute
{
    public const string ChromiumVariable = "EHRR1_CHROMIUM";

    public RequiresBrowserFactAttribute()
    {
        if (TestPaths.RequireIntegration)
        {
            return;
        }

        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable(RequiresNeo4jFactAttribute.UriVariable)))
        {
            Skip = $"No Neo4j server: set {RequiresNeo4jFactAttribute.UriVariable} (scripts/neo4j.sh start prints it).";
        }
        else if (FindChromium() is null)
        {
            Skip = $"No Chromium: set {ChromiumVariable} (scripts/browser.sh install prints it).";
        }
    }

    /// <summary>The Chromium executable; throws (failing the test under CI) when there is none.</summary>
    public static string Chromium =>
        FindChromium() ?? throw new InvalidOperationException(
            $"No Chromium executable: {ChromiumVariable} is unset or not executable and neither /usr/bin/chromium nor /usr/bin/chromium-browser exists, " +
            "but EHRR1_REQUIRE_INTEGRATION=1 requires the real-browser tests. Run scripts/browser.sh install (Debian package 'chromium').");

    private static string? FindChromium()
    {
        string?[] candidates = [Environment.GetEnvironmentVariable(ChromiumVariable), "/usr/bin/chromium", "/usr/bin/chromium-browser"];
        return candidates.FirstOrDefault(c => !string.IsNullOrEmpty(c) && File.Exists(c));
    }
}
