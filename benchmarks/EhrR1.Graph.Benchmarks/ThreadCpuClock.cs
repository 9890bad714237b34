using System.Runtime.InteropServices;

namespace EhrR1.Graph.Benchmarks;

/// <summary>
/// CPU time of the calling thread (Linux <c>CLOCK_THREAD_CPUTIME_ID</c>). On a shared machine this is the time the
/// thread actually ran, so it measures single-core speed even when other processes take the cores; elsewhere it
/// returns <see cref="TimeSpan.Zero"/>.
/// </summary>
internal static partial class ThreadCpuClock
{
    private const int ThreadCpuTimeId = 3;

    public static TimeSpan Now
    {
        get
        {
            if (!OperatingSystem.IsLinux() || ClockGetTime(ThreadCpuTimeId, out var ts) != 0)
            {
                return TimeSpan.Zero;
            }

            return TimeSpan.FromTicks((ts.Seconds * TimeSpan.TicksPerSecond) + (ts.Nanoseconds / 100));
        }
    }

    /// <summary>Milliseconds of CPU the calling thread has used, or 0 where the clock is not available.</summary>
    public static double Milliseconds() => Now.TotalMilliseconds;

    [LibraryImport("libc", EntryPoint = "clock_gettime")]
    private static partial int ClockGetTime(int clockId, out TimeSpec time);

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }
}
