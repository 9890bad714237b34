namespace EhrR1.Graph.Tasks.Export;

/// <summary>Output formats of <c>ehr-graph tasks export</c>.</summary>
public enum ExportFormat
{
    /// <summary>EHR-Bench JSONL: idx, sample_id, instruction, input, output, candidates, task_info.</summary>
    EhrBench,

    /// <summary>EHR-Ins non-reasoning chat records: sample_id, messages (system, user, assistant).</summary>
    EhrIns,
}
