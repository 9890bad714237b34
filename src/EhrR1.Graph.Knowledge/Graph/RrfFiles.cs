using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// Streams the UMLS files of <c>graph build</c> by the rules of <see cref="RrfText"/> (strict UTF-8, line numbers), the
/// same rules <c>umls build-index</c> applies.
/// </summary>
internal static class RrfFiles
{
    /// <summary>Fields of an MRCONSO row (UMLS Reference Manual layout).</summary>
    public const int MrconsoFields = 18;

    /// <summary>Fields of an MRSTY row.</summary>
    public const int MrstyFields = 6;

    /// <summary>Fields of an MRREL row.</summary>
    public const int MrrelFields = 16;

    /// <summary>Yields (line number, fields) of the RRF file <paramref name="path"/>: exactly <paramref name="fields"/>
    /// fields, each followed by '|'; any other row is an <see cref="InputDataException"/> naming the file and line.</summary>
    public static IEnumerable<(long Line, string[] Fields)> Read(string path, int fields, CancellationToken cancellationToken)
    {
        RequireFile(path);
        foreach (var (line, text) in RrfText.ReadFile(path, path, cancellationToken))
        {
            if (text.Length != 0)
            {
                yield return (line, RrfText.Split(text, fields, path, line));
            }
        }
    }

    /// <summary>Yields (line number, fields) of a '|'-separated file that is not RRF (SemGroups.txt: no trailing '|');
    /// a row with fewer than <paramref name="minFields"/> fields is an <see cref="InputDataException"/>.</summary>
    public static IEnumerable<(long Line, string[] Fields)> ReadDelimited(string path, int minFields, CancellationToken cancellationToken)
    {
        RequireFile(path);
        foreach (var (line, text) in RrfText.ReadFile(path, path, cancellationToken))
        {
            if (text.Length == 0)
            {
                continue;
            }

            var fields = text.Split('|');
            if (fields.Length < minFields)
            {
                throw new InputDataException(
                    "EHR-GR-021",
                    path,
                    line,
                    null,
                    "too few fields",
                    $"at least {minFields} '|'-separated fields",
                    $"{fields.Length} fields",
                    "Check that the file is an unmodified file of this name");
            }

            yield return (line, fields);
        }
    }

    private static void RequireFile(string path)
    {
        if (Directory.Exists(path))
        {
            throw new InputDataException("EHR-GR-020", path, null, null, "a folder is where the file should be", fix: "Pass --rrf with the folder that holds the RRF files themselves");
        }

        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-GR-020", path, null, null, "the RRF file does not exist", fix: "Pass --rrf with the folder of a UMLS release (META/) or of the open sample vocabulary");
        }
    }
}
