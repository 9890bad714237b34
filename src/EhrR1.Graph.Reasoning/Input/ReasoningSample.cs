namespace EhrR1.Graph.Reasoning.Input;

/// <summary>
/// The fields of an EHR-Bench record that synthesis reads. <see cref="Labels"/> are the exact target strings;
/// <see cref="LabelIsString"/> marks a single string target (one label, never split into characters).
/// </summary>
public sealed record ReasoningSample(
    string SampleId,
    long Idx,
    string Task,
    string TaskType,
    string Instruction,
    string Input,
    IReadOnlyList<string> Labels,
    bool LabelIsString,
    long LineNumber);
