namespace EhrR1.Graph.Benchmarks;

/// <summary>How busy the machine is while a benchmark runs (figures taken under load are pessimistic).</summary>
internal static class MachineLoad
{
    /// <summary>The 1-minute load average (Linux <c>/proc/loadavg</c>), or "n/a".</summary>
    public static string LoadAverage() => Read(1);

    /// <summary>The 1-, 5- and 15-minute load averages, space-separated, or "n/a".</summary>
    public static string LoadAverages() => Read(3);

    private static string Read(int fields)
    {
        try
        {
            return File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(fields)) : "n/a";
        }
        catch (IOException)
        {
            return "n/a";
        }
    }
}
