using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Reasoning.Runs;

/// <summary>
/// The reasoning stages' append-only JSONL checkpoints, recovered by the shared <see cref="ResumableJsonl"/>: a torn
/// tail left by a killed process is cut off and the key of every complete line is collected, so a rerun neither loses
/// nor repeats a sample. Repeated keys are counted, not errors (a checkpoint may hold a retried sample twice).
/// </summary>
public static class CheckpointFile
{
    /// <summary>
    /// Truncates a torn tail of <paramref name="path"/> (if it exists) and adds the <paramref name="keyProperty"/>
    /// of each complete line to <paramref name="keys"/> (pass null to only repair). A malformed line that is not
    /// the last one raises an <see cref="Core.Errors.InputDataException"/> (EHR-RSN-010).
    /// </summary>
    public static JsonlRecovery Recover(string path, string? keyProperty, SampleKeySet? keys) =>
        ResumableJsonl.Recover(path, new JsonlRecoveryOptions
        {
            KeyProperty = keyProperty,
            AddKey = keys is null ? null : keys.Add,
            ErrorCode = "EHR-RSN-010",
            Fix = "The checkpoint was edited or corrupted; restore it, or move it away to start the run afresh",
        });
}
