using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Evidence.Stage;

/// <summary>
/// The append-only partial output of a resumable stage (<c>OUT.partial</c>), recovered by the shared
/// <see cref="ResumableJsonl"/>: a torn tail is cut off and every sample id already present is returned so it is
/// skipped; a damaged line in the middle, or a sample id written twice, is an error (the file was edited, not interrupted).
/// </summary>
internal static class ResumableJsonlOutput
{
    public static string PartialPathFor(string output) => output + ".partial";

    /// <summary>Truncates a torn last line and returns the sample ids already written.</summary>
    public static HashSet<string> Recover(string partialPath, out long tornBytes)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        tornBytes = ResumableJsonl.Recover(partialPath, new JsonlRecoveryOptions
        {
            KeyProperty = "sample_id",
            AddKey = done.Add,
            DuplicateKeyIsError = true,
            ErrorCode = "EHR-EV-020",
            Fix = "Delete the partial file to start over",
        }).TruncatedBytes;
        return done;
    }
}
