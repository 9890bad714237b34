using System.Diagnostics;

namespace EhrR1.Graph.Tasks.Export;

/// <summary>
/// Time spent by one export in each phase, in <see cref="Stopwatch"/> ticks: reading and decoding the events a sample
/// needs, rendering them into the input, drawing candidates, writing the JSON record, and writing records to the file.
/// </summary>
public sealed class ExportTimings
{
    public long Read { get; set; }

    public long Input { get; set; }

    public long Candidates { get; set; }

    public long Json { get; set; }

    public long Write { get; set; }

    /// <summary>Adds another worker's times (the sums are thread time, not wall time, when workers run in parallel).</summary>
    public void Add(ExportTimings other)
    {
        ArgumentNullException.ThrowIfNull(other);
        Read += other.Read;
        Input += other.Input;
        Candidates += other.Candidates;
        Json += other.Json;
        Write += other.Write;
    }

    /// <summary>One line: seconds per phase.</summary>
    public override string ToString() => string.Create(
        System.Globalization.CultureInfo.InvariantCulture,
        $"read+decode {Seconds(Read):F2} s, render input {Seconds(Input):F2} s, candidates {Seconds(Candidates):F2} s, json {Seconds(Json):F2} s, file write {Seconds(Write):F2} s");

    private static double Seconds(long ticks) => (double)ticks / Stopwatch.Frequency;
}
