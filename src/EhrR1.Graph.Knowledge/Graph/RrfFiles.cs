using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>Streams pipe-delimited UMLS RRF files (MRCONSO, MRSTY, MRREL) with field-count checks.</summary>
internal static class RrfFiles
{
    /// <summary>Yields (line number, fields) of <paramref name="path"/>; a short row is an <see cref="InputDataException"/>.</summary>
    public static IEnumerable<(long Line, string[] Fields)> Read(string path, int minFields, CancellationToken cancellationToken)
    {
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-GR-020", path, null, null, "the RRF file does not exist", fix: "Pass --rrf with the folder of a UMLS release (META/) or of the open sample vocabulary");
        }

        long line = 0;
        foreach (var text in File.ReadLines(path))
        {
            line++;
            if ((line & 0xffff) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
            }

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
                    "Check that the file is an unmodified RRF file of this name");
            }

            yield return (line, fields);
        }
    }
}
