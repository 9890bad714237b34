namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>Concept columns (string ids into the pool; group -1 = none; semantic types in CSR form).</summary>
internal sealed record ConceptColumns(int[] Cui, int[] Name, int[] Group, int[] TuiOffsets, int[] Tuis);

/// <summary>CO_OCCURS edge columns, in CSR order of the target concept.</summary>
internal sealed class CoEdgeColumns(int count)
{
    public int[] Dst { get; } = new int[count];

    public int[] Task { get; } = new int[count];

    public int[] TargetTerm { get; } = new int[count];

    public int[] HistoryTerm { get; } = new int[count];

    public long[] Count { get; } = new long[count];

    public long[] TargetDf { get; } = new long[count];

    public long[] HistoryDf { get; } = new long[count];

    public long[] TaskSamples { get; } = new long[count];

    public double[] Lift { get; } = new double[count];

    public int Length => Dst.Length;
}

/// <summary>UMLS_REL edge columns, in CSR order of CUI1.</summary>
internal sealed class UmlsEdgeColumns(int count)
{
    public int[] Dst { get; } = new int[count];

    public int[] Rel { get; } = new int[count];

    public int[] Rela { get; } = new int[count];

    public int[] Sab { get; } = new int[count];

    public int Length => Dst.Length;
}
