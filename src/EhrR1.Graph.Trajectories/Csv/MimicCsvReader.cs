using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Trajectories.Csv;

/// <summary>
/// A streaming, allocation-light reader of MIMIC-IV CSV files (<c>.csv</c> or <c>.csv.gz</c>): comma-separated,
/// a header line, RFC 4180 quoting (fields may contain commas, quotes and newlines), empty = null. Fields are exposed
/// as UTF-8 byte spans over a pooled buffer, valid until the next <see cref="Read"/>. Every problem is reported as an
/// <see cref="InputDataException"/> naming the file, the line and the field, never a cell value.
/// </summary>
internal sealed class MimicCsvReader : IDisposable
{
    private const int InitialBuffer = 1 << 20;

    private readonly Stream _stream;
    private readonly bool _gzip;
    private byte[] _buf;
    private int _pos;
    private int _end;
    private bool _eof;
    private long _nextLine = 1;
    private int[] _fieldStart = new int[64];
    private int[] _fieldLength = new int[64];
    private int _fieldCount;

    private MimicCsvReader(string path, string displayPath, Stream stream, bool gzip)
    {
        Path = path;
        DisplayPath = displayPath;
        _stream = stream;
        _gzip = gzip;
        _buf = ArrayPool<byte>.Shared.Rent(InitialBuffer);
        Header = ReadHeader();
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

    public IReadOnlyList<string> Header { get; }

    public Dictionary<string, int> HeaderIndex { get; }

    /// <summary>The 1-based line number where the current record starts (the header is line 1).</summary>
    public long Line { get; private set; }

    /// <summary>Number of data records read so far.</summary>
    public long RecordCount { get; private set; }

    public int FieldCount => _fieldCount;

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

        var gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        Stream fs = gzip
            ? VerifiedGzipStream.Open(path, display)
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);

        try
        {
            return new MimicCsvReader(path, display, fs, gzip);
        }
        catch
        {
            fs.Dispose();
            throw;
        }
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

        throw new InputDataException("EHR-CSV-010", DisplayPath, 1, missing[0],
            $"The {table} table lacks required column(s) {string.Join(", ", missing)}",
            "columns " + string.Join(", ", required),
            "header " + string.Join(",", Header),
            "Use the MIMIC-IV release's original file; renamed or missing columns are not accepted");
    }

    /// <summary>The raw UTF-8 bytes of field <paramref name="i"/> of the current record (empty when null).</summary>
    public ReadOnlySpan<byte> this[int i] => _buf.AsSpan(_fieldStart[i], _fieldLength[i]);

    /// <summary>True when field <paramref name="i"/> is empty (a null cell).</summary>
    public bool IsNull(int i) => _fieldLength[i] == 0;

    public string? GetString(int i) => _fieldLength[i] == 0 ? null : Encoding.UTF8.GetString(this[i]);

    /// <summary>Moves to the next record; false at the end of the file.</summary>
    public bool Read()
    {
        if (!ParseRecord())
        {
            return false;
        }

        RecordCount++;
        if (_fieldCount != Header.Count)
        {
            var tabs = false;
            for (var i = 0; i < _fieldCount && !tabs; i++)
            {
                tabs = this[i].IndexOfAny((byte)'\t', (byte)';') >= 0;
            }

            throw new InputDataException("EHR-CSV-011", DisplayPath, Line, _fieldCount < Header.Count ? Header[Math.Max(0, _fieldCount - 1)] : null,
                "The record has the wrong number of fields",
                $"{Header.Count} comma-separated fields, as in the header",
                $"{_fieldCount.ToString(CultureInfo.InvariantCulture)} fields" + (tabs ? " (the line contains tabs or semicolons: wrong delimiter?)" : string.Empty),
                "Fix the quoting or the delimiter of this line, or re-extract the original file");
        }

        return true;
    }

    public void Dispose()
    {
        _stream.Dispose();
        if (_buf.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = [];
        }
    }

    private string[] ReadHeader()
    {
        if (!ParseRecord())
        {
            throw new InputDataException("EHR-CSV-002", DisplayPath, 1, null, "The file is empty",
                "a header line with the MIMIC-IV column names", "no data after decompression",
                "Re-download or re-extract this table");
        }

        var names = new string[_fieldCount];
        for (var i = 0; i < _fieldCount; i++)
        {
            var span = this[i];
            if (i == 0 && span.StartsWith("\uFEFF"u8))
            {
                span = span[3..];
            }

            names[i] = Encoding.UTF8.GetString(span).Trim();
        }

        if (names.Length == 1 && (names[0].Contains('\t', StringComparison.Ordinal) || names[0].Contains(';', StringComparison.Ordinal) || names[0].Contains('|', StringComparison.Ordinal)))
        {
            var found = names[0].Contains('\t', StringComparison.Ordinal) ? "tab" : names[0].Contains(';', StringComparison.Ordinal) ? "semicolon" : "pipe";
            throw new InputDataException("EHR-CSV-003", DisplayPath, 1, null, "The header is not comma-separated",
                "comma-separated column names (MIMIC-IV CSV)", $"a {found}-separated header",
                "Convert the file to comma-separated CSV, as released by PhysioNet");
        }

        return names;
    }

    /// <summary>Frames one record starting at <see cref="_pos"/>, refilling the buffer as needed.</summary>
    private bool ParseRecord()
    {
        while (true)
        {
            if (_pos >= _end)
            {
                if (_eof)
                {
                    return false;
                }

                Fill();
                if (_pos >= _end)
                {
                    return false;
                }
            }

            var result = TryFrame(out var consumed, out var newlines);
            if (result)
            {
                ValidateUtf8(_pos, consumed);
                Line = _nextLine;
                _nextLine += newlines;
                Unquote();
                _pos += consumed;
                return true;
            }

            // Incomplete record: need more data.
            if (_eof)
            {
                throw new InputDataException("EHR-CSV-012", DisplayPath, _nextLine, null, "The file ends inside a quoted field",
                    "a closing double quote", "end of file",
                    "The file is truncated or a quote is unbalanced; re-extract the original file");
            }

            Fill();
        }
    }

    /// <summary>
    /// Frames the record at <see cref="_pos"/>: fills field ranges (quotes still in place). Returns false when the
    /// buffer ends before the record does (and more input may exist).
    /// </summary>
    private bool TryFrame(out int consumed, out int newlines)
    {
        var span = _buf.AsSpan(_pos, _end - _pos);
        var i = 0;
        newlines = 1;
        _fieldCount = 0;
        while (true)
        {
            var fieldStart = i;
            if (i < span.Length && span[i] == (byte)'"')
            {
                // Quoted field.
                i++;
                while (true)
                {
                    var q = span[i..].IndexOf((byte)'"');
                    if (q < 0)
                    {
                        consumed = 0;
                        return false;
                    }

                    newlines += span.Slice(i, q).Count((byte)'\n');
                    i += q + 1;
                    if (i < span.Length && span[i] == (byte)'"')
                    {
                        i++;
                        continue;
                    }

                    if (i >= span.Length && !_eof)
                    {
                        consumed = 0;
                        return false;
                    }

                    break;
                }

                AddField(_pos + fieldStart, i - fieldStart);
                if (i >= span.Length)
                {
                    consumed = i;
                    return true;
                }

                var c = span[i];
                if (c == (byte)',')
                {
                    i++;
                    continue;
                }

                if (c == (byte)'\n' || (c == (byte)'\r' && i + 1 < span.Length && span[i + 1] == (byte)'\n'))
                {
                    consumed = i + (c == (byte)'\r' ? 2 : 1);
                    return true;
                }

                if (c == (byte)'\r' && i + 1 >= span.Length && !_eof)
                {
                    consumed = 0;
                    return false;
                }

                throw new InputDataException("EHR-CSV-013", DisplayPath, _nextLine + newlines - 1, FieldName(_fieldCount - 1),
                    "Text follows a closing quote", "a comma or the end of the line after a quoted field", "another character",
                    "Double any quote inside a quoted field (RFC 4180)");
            }

            var rest = span[i..];
            var k = rest.IndexOfAny((byte)',', (byte)'\n');
            if (k < 0)
            {
                if (!_eof)
                {
                    consumed = 0;
                    return false;
                }

                var len = rest.Length;
                if (len > 0 && rest[len - 1] == (byte)'\r')
                {
                    len--;
                }

                AddField(_pos + i, len);
                consumed = span.Length;
                return true;
            }

            if (rest[k] == (byte)',')
            {
                AddField(_pos + i, k);
                i += k + 1;
                continue;
            }

            var flen = k > 0 && rest[k - 1] == (byte)'\r' ? k - 1 : k;
            AddField(_pos + i, flen);
            consumed = i + k + 1;
            return true;
        }
    }

    private void AddField(int start, int length)
    {
        if (_fieldCount == _fieldStart.Length)
        {
            Array.Resize(ref _fieldStart, _fieldCount * 2);
            Array.Resize(ref _fieldLength, _fieldCount * 2);
        }

        _fieldStart[_fieldCount] = start;
        _fieldLength[_fieldCount] = length;
        _fieldCount++;
    }

    private void Unquote()
    {
        for (var f = 0; f < _fieldCount; f++)
        {
            var s = _fieldStart[f];
            var l = _fieldLength[f];
            if (l < 2 || _buf[s] != (byte)'"')
            {
                continue;
            }

            s++;
            l -= 2;
            var span = _buf.AsSpan(s, l);
            var q = span.IndexOf("\"\""u8);
            if (q >= 0)
            {
                // Collapse doubled quotes in place.
                var w = q + 1;
                for (var r = q + 2; r < l; r++)
                {
                    span[w++] = span[r];
                    if (span[r] == (byte)'"' && r + 1 < l && span[r + 1] == (byte)'"')
                    {
                        r++;
                    }
                }

                l = w;
            }

            _fieldStart[f] = s;
            _fieldLength[f] = l;
        }
    }

    private void ValidateUtf8(int start, int length)
    {
        if (Utf8.IsValid(_buf.AsSpan(start, length)))
        {
            return;
        }

        var field = 0;
        for (var f = 0; f < _fieldCount; f++)
        {
            if (!Utf8.IsValid(_buf.AsSpan(_fieldStart[f], _fieldLength[f])))
            {
                field = f;
                break;
            }
        }

        var bad = _buf.AsSpan(_fieldStart[field], _fieldLength[field]);
        var offset = 0;
        while (offset < bad.Length && Utf8.IsValid(bad[..(offset + 1)]))
        {
            offset++;
        }

        var b = offset < bad.Length ? bad[offset] : (byte)0;
        throw new InputDataException("EHR-CSV-014", DisplayPath, _nextLine, FieldName(field),
            "The field is not valid UTF-8",
            "UTF-8 text",
            $"byte 0x{b.ToString("X2", CultureInfo.InvariantCulture)} at byte {offset.ToString(CultureInfo.InvariantCulture)} of the field",
            "Convert the file to UTF-8 (e.g. iconv -f latin1 -t utf-8), as MIMIC-IV is released");
    }

    private string? FieldName(int index) =>
        Header is not null && index >= 0 && index < Header.Count ? Header[index] : null;

    private void Fill()
    {
        // Move the unparsed tail to the front; grow when one record fills the buffer.
        var remaining = _end - _pos;
        if (_pos > 0)
        {
            Buffer.BlockCopy(_buf, _pos, _buf, 0, remaining);
            _pos = 0;
            _end = remaining;
        }

        if (_end == _buf.Length)
        {
            var bigger = ArrayPool<byte>.Shared.Rent(_buf.Length * 2);
            Buffer.BlockCopy(_buf, 0, bigger, 0, _end);
            ArrayPool<byte>.Shared.Return(_buf);
            _buf = bigger;
        }

        while (_end < _buf.Length)
        {
            int n;
            try
            {
                n = _stream.Read(_buf, _end, _buf.Length - _end);
            }
            catch (InvalidDataException ex)
            {
                throw new InputDataException("EHR-CSV-004", DisplayPath, _nextLine, null,
                    "The gzip stream is corrupt or truncated", "a complete gzip file", "invalid or missing compressed data",
                    "Re-download the file and check its SHA-256 (ehr-graph download-demo verifies them)", ex);
            }
            catch (EndOfStreamException ex)
            {
                throw new InputDataException("EHR-CSV-004", DisplayPath, _nextLine, null,
                    "The gzip stream is truncated", "a complete gzip file", "the compressed data ends early",
                    "Re-download the file and check its SHA-256 (ehr-graph download-demo verifies them)", ex);
            }

            if (n == 0)
            {
                _eof = true;
                break;
            }

            _end += n;
            if (_end - _pos >= 1 << 16 && !_gzip)
            {
                break;
            }
        }
    }
}
