using System.Runtime.CompilerServices;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Umls.Sample;

/// <summary>
/// Streams RFC 4180 CSV records (quoted fields may hold commas, quotes and line breaks) from a plain or gzip file,
/// with a header line, parsed by CsvHelper through <see cref="CsvFieldReader"/>. Also reads the Disease Ontology's
/// tab-separated, double-quoted files, files with lines before the header, headerless files (given the column names),
/// and the AHRQ CCS 2015 files, whose records mix single- and double-quoted fields (a parser of its own).
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly string _path;
    private readonly char _separator;
    private readonly IReadOnlyList<string> _required;
    private readonly string[]? _columns;
    private readonly int _skipLines;
    private readonly bool _singleQuotes;

    /// <param name="path">The file (plain or .gz).</param>
    /// <param name="separator">Field separator.</param>
    /// <param name="required">Columns the header must hold; a missing one stops the read at the header line with an
    /// error naming the file, the line and the column.</param>
    /// <param name="columns">Column names of a file without a header line (every line is a record).</param>
    /// <param name="skipLines">Lines before the header (e.g. a note line).</param>
    /// <param name="singleQuotes">Fields may also be quoted with single quotes, in the same record as double-quoted
    /// ones (AHRQ CCS 2015).</param>
    /// <param name="displayName">The file's name in error messages (default: the file name).</param>
    public CsvRecordReader(string path, char separator = ',', IReadOnlyList<string>? required = null, string[]? columns = null, int skipLines = 0, bool singleQuotes = false,
        string? displayName = null)
    {
        DisplayName = displayName ?? Path.GetFileName(path);
        _path = path;
        _separator = separator;
        _required = required ?? [];
        _columns = columns;
        _skipLines = skipLines;
        _singleQuotes = singleQuotes;
    }

    public string DisplayName { get; }

    public async IAsyncEnumerable<CsvRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        if (_singleQuotes)
        {
            await foreach (var record in ReadMixedQuotesAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return record;
            }

            yield break;
        }

        var header = _columns;
        using var csv = CsvFieldReader.Open(_path, DisplayName, _separator, validateUtf8: false, problem => ToException(problem, header));
        while (await csv.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            if (csv.Line <= _skipLines)
            {
                continue;
            }

            var values = new string[csv.FieldCount];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = csv.GetString(i);
            }

            if (csv.Line == 1 && values[0].StartsWith('\uFEFF'))
            {
                values[0] = values[0][1..];
            }

            if (header is null)
            {
                header = values;
                CheckHeader(header, csv.Line, csv);
                continue;
            }

            if (ToRecord(header, values, csv.Line, csv) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>
    /// The AHRQ CCS 2015 files quote some fields of a record with single quotes and others with double quotes. A
    /// CSV parser has one quote character, so this dialect keeps its own line-based parser.
    /// </summary>
    private async IAsyncEnumerable<CsvRecord> ReadMixedQuotesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Stream stream = _path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? VerifiedGzipStream.Open(_path, DisplayName)
            : File.OpenRead(_path);

        using var reader = new StreamReader(stream, Encoding.UTF8);
        var header = _columns;
        long line = 0;
        for (var i = 0; i < _skipLines && await reader.ReadLineAsync(cancellationToken) is not null; i++)
        {
            line++;
        }

        var fields = new List<string>();
        var field = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            line++;
            var startLine = line;
            fields.Clear();
            field.Clear();
            var quoted = false;
            var quote = '"';
            var pos = 0;
            while (true)
            {
                if (pos >= text.Length)
                {
                    if (quoted)
                    {
                        var next = await reader.ReadLineAsync(cancellationToken)
                            ?? throw new InputDataException("EHR-UMLS-010", DisplayName, startLine, null, "a quoted field is not closed before the end of the file",
                                expected: "a closing double quote", found: "end of file");
                        line++;
                        field.Append('\n');
                        text = next;
                        pos = 0;
                        continue;
                    }

                    fields.Add(field.ToString());
                    break;
                }

                var c = text[pos++];
                if (quoted)
                {
                    if (c == quote)
                    {
                        if (pos < text.Length && text[pos] == quote)
                        {
                            field.Append(quote);
                            pos++;
                        }
                        else
                        {
                            quoted = false;
                        }
                    }
                    else
                    {
                        field.Append(c);
                    }
                }
                else if ((c == '"' || c == '\'') && field.Length == 0)
                {
                    quoted = true;
                    quote = c;
                }
                else if (c == _separator)
                {
                    fields.Add(field.ToString());
                    field.Clear();
                }
                else
                {
                    field.Append(c);
                }
            }

            if (header is null)
            {
                header = [.. fields];
                CheckHeader(header, startLine);
                continue;
            }

            if (ToRecord(header, [.. fields], startLine) is { } record)
            {
                yield return record;
            }
        }
    }

    /// <summary>Throws when a required column is missing; a gzip input is checked first (see
    /// <see cref="CsvFieldReader.VerifyRestOfInput"/>), unless <paramref name="csv"/> is null (the line-based reader).</summary>
    private void CheckHeader(string[] header, long line, CsvFieldReader? csv = null)
    {
        foreach (var column in _required)
        {
            if (Array.IndexOf(header, column) < 0)
            {
                csv?.VerifyRestOfInput();
                throw new InputDataException("EHR-UMLS-012", DisplayName, line, column, "a required column is missing from the header",
                    expected: "a column named " + column, found: "columns " + string.Join(',', header),
                    fix: "Use the unchanged file from the source named in the data folder's README");
            }
        }
    }

    /// <summary>The record, or null for a blank line.</summary>
    private CsvRecord? ToRecord(string[] header, string[] values, long line, CsvFieldReader? csv = null)
    {
        if (values.Length == 1 && values[0].Length == 0)
        {
            return null;
        }

        if (values.Length != header.Length)
        {
            csv?.VerifyRestOfInput();
            throw new InputDataException("EHR-UMLS-011", DisplayName, line, null, "wrong number of fields",
                expected: $"{header.Length} fields as in the header", found: $"{values.Length} fields");
        }

        return new CsvRecord(header, values, line, DisplayName);
    }

    private Exception ToException(CsvProblem problem, string[]? header) => problem.Kind switch
    {
        CsvProblemKind.UnterminatedQuote => new InputDataException("EHR-UMLS-010", DisplayName, problem.Line, null,
            "a quoted field is not closed before the end of the file", expected: "a closing double quote", found: "end of file"),
        CsvProblemKind.TextAfterClosingQuote => new InputDataException("EHR-UMLS-014", DisplayName, problem.Line,
            header is not null && problem.FieldIndex >= 0 && problem.FieldIndex < header.Length ? header[problem.FieldIndex] : null,
            "text follows a closing quote", expected: "a separator or the end of the line after a quoted field", found: "another character",
            fix: "Use the unchanged file from the source named in the data folder's README"),
        _ => problem.InnerException ?? new InvalidDataException(DisplayName),
    };
}

/// <summary>A CSV record with access by column name.</summary>
internal sealed class CsvRecord(string[] header, string[] values, long line, string file)
{
    public long Line { get; } = line;

    /// <summary>The file name (no folder), for error messages.</summary>
    public string File { get; } = file;

    public string this[string column]
    {
        get
        {
            var i = Array.IndexOf(header, column);
            if (i < 0)
            {
                throw new InputDataException("EHR-UMLS-012", File, null, column, "a required column is missing",
                    expected: "a column named " + column, found: "columns " + string.Join(',', header));
            }

            return values[i];
        }
    }
}
