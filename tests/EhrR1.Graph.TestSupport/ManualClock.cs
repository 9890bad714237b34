namespace EhrR1.Graph.TestSupport;

/// <summary>A clock that moves only when the test says so (timestamps in microseconds).</summary>
public sealed class ManualClock : TimeProvider
{
    private long _now = 1_000_000;

    public override long TimestampFrequency => 1_000_000;

    public override long GetTimestamp() => Interlocked.Read(ref _now);

    public void Advance(TimeSpan by) => Interlocked.Add(ref _now, (long)(by.TotalSeconds * TimestampFrequency));
}
