using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Umls.Sample;

/// <summary>
/// Streams RFC 4180 CSV records (quoted fields may hold commas, quotes and line breaks) from a plain or gzip file,
/// with a header line. Also reads the Disease Ontology's tab-separated, double-quoted files.
/// </summary>
internal sealed class CsvRecordReader
{
    private readonly string _path;
    private readonly char _separator;

    public CsvRecordReader(string path, char separator = ',')
    {
        _path = path;
        _separator = separator;
    }

    public string DisplayName => Path.GetFileName(_path);

    public async IAsyncEnumerable<CsvRecord> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Stream stream = File.OpenRead(_path);
        if (_path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase))
        {
            stream = new GZipStream(stream, CompressionMode.Decompress);
        }

        using var reader = new StreamReader(stream, Encoding.UTF8);
        string[]? header = null;
        long line = 0;
        var fields = new List<string>();
        var field = new StringBuilder();
        while (await reader.ReadLineAsync(cancellationToken) is { } text)
        {
            line++;
            var startLine = line;
            fields.Clear();
            field.Clear();
            var quoted = false;
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
                    if (c == '"')
                    {
                        if (pos < text.Length && text[pos] == '"')
                        {
                            field.Append('"');
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
                else if (c == '"' && field.Length == 0)
                {
                    quoted = true;
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
                continue;
            }

            if (fields.Count == 1 && fields[0].Length == 0)
            {
                continue;
            }

            if (fields.Count != header.Length)
            {
                throw new InputDataException("EHR-UMLS-011", DisplayName, startLine, null, "wrong number of fields",
                    expected: $"{header.Length} fields as in the header", found: $"{fields.Count} fields");
            }

            yield return new CsvRecord(header, [.. fields], startLine, DisplayName);
        }
    }
}

/// <summary>A CSV record with access by column name.</summary>
internal sealed class CsvRecord(string[] header, string[] values, long line, string file)
{
    public long Line { get; } = line;

    public string this[string column]
    {
        get
        {
            var i = Array.IndexOf(header, column);
            if (i < 0)
            {
                throw new InputDataException("EHR-UMLS-012", file, null, column, "a required column is missing",
                    expected: "a column named " + column, found: "columns " + string.Join(',', header));
            }

            return values[i];
        }
    }
}
