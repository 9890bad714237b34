using System.Globalization;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Trajectories.Csv;

/// <summary>
/// A streaming, allocation-light reader of MIMIC-IV CSV files (<c>.csv</c> or <c>.csv.gz</c>): comma-separated,
/// a header line, RFC 4180 quoting (fields may contain commas, quotes and newlines), empty = null. Parsing is
/// CsvHelper's, through <see cref="CsvFieldReader"/>; fields are exposed as UTF-8 byte spans, valid until the next
/// <see cref="Read"/>. Every problem is reported as an <see cref="InputDataException"/> naming the file, the line and
/// the field, never a cell value.
/// </summary>
internal sealed class MimicCsvReader : IDisposable
{
    private readonly CsvFieldReader _csv;

    private MimicCsvReader(string path, string displayPath)
    {
        Path = path;
        DisplayPath = displayPath;
        _csv = CsvFieldReader.Open(path, displayPath, ',', validateUtf8: true, ToException);
        try
        {
            Header = ReadHeader();
        }
        catch
        {
            _csv.Dispose();
            throw;
        }

        HeaderIndex = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < Header.Count; i++)
        {
            HeaderIndex.TryAdd(Header[i], i);
        }
    }

    /// <summary>The file path.</summary>
    public string Path { get; }

    /// <summary>The path used in messages (e.g. <c>hosp/labevents.csv.gz</c>).</summary>
    public string DisplayPath { get; }

    public IReadOnlyList<string> Header { get; private set; } = [];

    public Dictionary<string, int> HeaderIndex { get; }

    /// <summary>The 1-based line number where the current record starts (the header is line 1).</summary>
    public long Line => _csv.Line;

    /// <summary>Number of data records read so far.</summary>
    public long RecordCount { get; private set; }

    public int FieldCount => _csv.FieldCount;

    /// <summary>Opens a CSV or gzip CSV file and reads its header.</summary>
    public static MimicCsvReader Open(string path, string? displayPath = null)
    {
        var display = displayPath ?? path;
        var info = new FileInfo(path);
        if (!info.Exists)
        {
            throw new InputDataException("EHR-CSV-001", display, null, null, "The file does not exist", fix: "Check the --mimic folder");
        }

        if (info.Length == 0)
        {
            throw new InputDataException("EHR-CSV-002", display, 1, null, "The file is empty",
                "a header line with the MIMIC-IV column names", "0 bytes",
                "Re-download or re-extract this table (ehr-graph download-demo verifies the checksums)");
        }

        return new MimicCsvReader(path, display);
    }

    /// <summary>The column index of <paramref name="name"/>, or -1.</summary>
    public int IndexOf(string name) => HeaderIndex.TryGetValue(name, out var i) ? i : -1;

    /// <summary>Throws when any of <paramref name="required"/> is not a column of the header.</summary>
    public void RequireColumns(IEnumerable<string> required, string table)
    {
        var missing = required.Where(c => !HeaderIndex.ContainsKey(c)).ToList();
        if (missing.Count == 0)
        {
            return;
        }

        _csv.VerifyRestOfInput();
        throw new InputDataException("EHR-CSV-010", DisplayPath, 1, missing[0],
            $"The {table} table lacks required column(s) {string.Join(", ", missing)}",
            "columns " + string.Join(", ", required),
            "header " + string.Join(",", Header),
            "Use the MIMIC-IV release's original file; renamed or missing columns are not accepted");
    }

    /// <summary>The raw UTF-8 bytes of field <paramref name="i"/> of the current record (empty when null).</summary>
    public ReadOnlySpan<byte> this[int i] => _csv[i];

    /// <summary>True when field <paramref name="i"/> is empty (a null cell).</summary>
    public bool IsNull(int i) => _csv[i].IsEmpty;

    public string? GetString(int i)
    {
        var span = _csv[i];
        return span.IsEmpty ? null : Encoding.UTF8.GetString(span);
    }

    /// <summary>Moves to the next record; false at the end of the file.</summary>
    public bool Read()
    {
        if (!_csv.Read())
        {
            return false;
        }

        RecordCount++;
        var fieldCount = _csv.FieldCount;
        if (fieldCount != Header.Count)
        {
            var tabs = false;
            for (var i = 0; i < fieldCount && !tabs; i++)
            {
                tabs = this[i].IndexOfAny((byte)'\t', (byte)';') >= 0;
            }

            _csv.VerifyRestOfInput();
            throw new InputDataException("EHR-CSV-011", DisplayPath, Line, fieldCount < Header.Count ? Header[Math.Max(0, fieldCount - 1)] : null,
                "The record has the wrong number of fields",
                $"{Header.Count} comma-separated fields, as in the header",
                $"{fieldCount.ToString(CultureInfo.InvariantCulture)} fields" + (tabs ? " (the line contains tabs or semicolons: wrong delimiter?)" : string.Empty),
                "Fix the quoting or the delimiter of this line, or re-extract the original file");
        }

        return true;
    }

    public void Dispose() => _csv.Dispose();

    private string[] ReadHeader()
    {
        if (!_csv.Read())
        {
            throw new InputDataException("EHR-CSV-002", DisplayPath, 1, null, "The file is empty",
                "a header line with the MIMIC-IV column names", "no data after decompression",
                "Re-download or re-extract this table");
        }

        var names = new string[_csv.FieldCount];
        for (var i = 0; i < names.Length; i++)
        {
            var span = _csv[i];
            if (i == 0 && span.StartsWith("\uFEFF"u8))
            {
                span = span[3..];
            }

            names[i] = Encoding.UTF8.GetString(span).Trim();
        }

        if (names.Length == 1 && (names[0].Contains('\t', StringComparison.Ordinal) || names[0].Contains(';', StringComparison.Ordinal) || names[0].Contains('|', StringComparison.Ordinal)))
        {
            _csv.VerifyRestOfInput();
            var found = names[0].Contains('\t', StringComparison.Ordinal) ? "tab" : names[0].Contains(';', StringComparison.Ordinal) ? "semicolon" : "pipe";
            throw new InputDataException("EHR-CSV-003", DisplayPath, 1, null, "The header is not comma-separated",
                "comma-separated column names (MIMIC-IV CSV)", $"a {found}-separated header",
                "Convert the file to comma-separated CSV, as released by PhysioNet");
        }

        return names;
    }

    /// <summary>Turns a problem found by the CSV reader into this reader's error (EHR-CSV-004, -012, -013, -014).</summary>
    private InputDataException ToException(CsvProblem problem) => problem.Kind switch
    {
        CsvProblemKind.UnterminatedQuote => new InputDataException("EHR-CSV-012", DisplayPath, problem.Line, null, "The file ends inside a quoted field",
            "a closing double quote", "end of file",
            "The file is truncated or a quote is unbalanced; re-extract the original file"),
        CsvProblemKind.TextAfterClosingQuote => new InputDataException("EHR-CSV-013", DisplayPath, problem.Line, FieldName(problem.FieldIndex),
            "Text follows a closing quote", "a comma or the end of the line after a quoted field", "another character",
            "Double any quote inside a quoted field (RFC 4180)"),
        CsvProblemKind.InvalidUtf8 => new InputDataException("EHR-CSV-014", DisplayPath, problem.Line, FieldName(problem.FieldIndex),
            "The field is not valid UTF-8",
            "UTF-8 text",
            $"byte 0x{problem.BadByte.ToString("X2", CultureInfo.InvariantCulture)} at byte {problem.ByteInField.ToString(CultureInfo.InvariantCulture)} of the field",
            "Convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), as MIMIC-IV is released"),
        _ => problem.InnerException is EndOfStreamException
            ? new InputDataException("EHR-CSV-004", DisplayPath, problem.Line, null,
                "The gzip stream is truncated", "a complete gzip file", "the compressed data ends early",
                "Re-download the file and check its SHA-256 (ehr-graph download-demo verifies them)", problem.InnerException)
            : new InputDataException("EHR-CSV-004", DisplayPath, problem.Line, null,
                "The gzip stream is corrupt or truncated", "a complete gzip file", "invalid or missing compressed data",
                "Re-download the file and check its SHA-256 (ehr-graph download-demo verifies them)", problem.InnerException),
    };

    private string? FieldName(int index) =>
        index >= 0 && index < Header.Count ? Header[index] : null;
}
