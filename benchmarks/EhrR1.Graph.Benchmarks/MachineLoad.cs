namespace EhrR1.Graph.Benchmarks;

/// <summary>How busy the machine is while a benchmark runs (figures taken under load are pessimistic).</summary>
internal static class MachineLoad
{
    /// <summary>The 1-minute load average (Linux <c>/proc/loadavg</c>), or "n/a".</summary>
    public static string LoadAverage()
    {
        try
        {
            return File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
