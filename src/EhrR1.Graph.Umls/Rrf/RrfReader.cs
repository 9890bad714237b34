using System.Runtime.CompilerServices;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Umls.Rrf;

/// <summary>
/// Streams the rows of one RRF file: pipe-separated, one row per line, a trailing <c>|</c>, no header, UTF-8.
/// Reads <c>NAME</c>, <c>NAME.gz</c> or the split parts <c>NAME.aa</c>, <c>NAME.ab</c>, ... (older releases split
/// MRREL that way). The line and field rules are <see cref="RrfText"/>'s, shared with <c>graph build</c>.
/// </summary>
internal sealed class RrfReader
{
    private readonly IReadOnlyList<string> _parts;

    private RrfReader(string displayName, IReadOnlyList<string> parts, IReadOnlyList<string> columns)
    {
        DisplayName = displayName;
        _parts = parts;
        Columns = columns;
    }

    /// <summary>The file name used in messages (relative to the release folder).</summary>
    public string DisplayName { get; }

    /// <summary>Column names, in file order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Total bytes of the file's parts on disk (compressed size for .gz).</summary>
    public long Bytes => _parts.Sum(p => new FileInfo(p).Length);

    /// <summary>Finds <paramref name="fileName"/> in <paramref name="directory"/>; null when absent.</summary>
    public static RrfReader? TryOpen(string directory, string fileName, IReadOnlyList<string> columns)
    {
        var plain = Path.Combine(directory, fileName);
        if (File.Exists(plain))
        {
            return new RrfReader(fileName, [plain], columns);
        }

        if (File.Exists(plain + ".gz"))
        {
            return new RrfReader(fileName + ".gz", [plain + ".gz"], columns);
        }

        if (!Directory.Exists(directory))
        {
            return null;
        }

        var parts = Directory.EnumerateFiles(directory, fileName + ".*")
            .Where(p => Path.GetExtension(p) is { Length: 3 } ext && char.IsAsciiLetterLower(ext[1]) && char.IsAsciiLetterLower(ext[2]))
            .Order(StringComparer.Ordinal)
            .ToList();
        return parts.Count > 0 ? new RrfReader(fileName, parts, columns) : null;
    }

    /// <summary>Index of a column, or a clear error when the layout lacks it.</summary>
    public int IndexOf(string column)
    {
        for (var i = 0; i < Columns.Count; i++)
        {
            if (string.Equals(Columns[i], column, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new InputDataException(
            "EHR-UMLS-002", DisplayName, null, column, "the file's column list does not include a column this reader needs",
            expected: "the column " + column, found: "columns " + string.Join(',', Columns),
            fix: "Check MRFILES.RRF in the release folder, or remove it to use the UMLS Reference Manual layout");
    }

    /// <summary>Streams rows as field arrays (without the empty field after the trailing pipe).</summary>
    public async IAsyncEnumerable<RrfRow> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var expected = Columns.Count;
        foreach (var part in _parts)
        {
            var partName = _parts.Count == 1 ? DisplayName : Path.GetFileName(part);
            await using var stream = OpenStream(part);
            foreach (var (lineNumber, line) in RrfText.ReadLines(stream, partName, cancellationToken))
            {
                if (line.Length == 0)
                {
                    continue;
                }

                yield return new RrfRow(partName, lineNumber, RrfText.Split(line, expected, partName, lineNumber));
            }
        }
    }

    private static Stream OpenStream(string path) =>
        path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? VerifiedGzipStream.Open(path, Path.GetFileName(path))
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
}

/// <summary>One row of an RRF file with where it came from.</summary>
internal readonly record struct RrfRow(string File, long Line, string[] Fields);
