using EhrR1.Graph.TestSupport;

namespace EhrR1.Graph.Cli.Tests;

/// <summary>
/// A fact that mounts a tmpfs: runs on Linux as root; elsewhere skipped, unless <c>EHRR1_REQUIRE_INTEGRATION=1</c>
/// (CI), where it runs and fails with the reason instead of skipping.
/// </summary>
public sealed class RequiresTmpfsFactAttribute : FactAttribute
{
    public RequiresTmpfsFactAttribute()
    {
        if (!(OperatingSystem.IsLinux() && Environment.IsPrivilegedProcess) && !TestPaths.RequireIntegration)
        {
            Skip = "Mounting a tmpfs needs Linux and root.";
        }
    }
}
