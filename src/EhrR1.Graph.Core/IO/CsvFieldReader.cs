using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;
using CsvHelper;

namespace EhrR1.Graph.Core.IO;

/// <summary>
/// Reads the raw fields of a plain or gzip CSV file (RFC 4180: quoted fields may hold separators, doubled quotes and
/// line breaks) with CsvHelper, record by record, every line a record (the owner decides which is the header). Gzip
/// input goes through <see cref="VerifiedGzipStream"/>. What CsvHelper does not say by itself, this adds: the field of
/// a malformed quote, the line it is on, and (when asked) a UTF-8 check. Each problem is handed to the owner's
/// <c>onProblem</c>, which returns the exception to throw, so messages keep the owner's codes and never hold a value.
/// </summary>
public sealed class CsvFieldReader : IDisposable
{
    private readonly Stream _stream;
    private readonly CsvReader _reader;
    private readonly bool _validateUtf8;
    private readonly Func<CsvProblem, Exception> _onProblem;
    private CsvMalformedRecord? _malformed;

    private CsvFieldReader(Stream stream, char separator, bool validateUtf8, Func<CsvProblem, Exception> onProblem)
    {
        _stream = stream;
        _validateUtf8 = validateUtf8;
        _onProblem = onProblem;
        var options = new CsvReaderOptions
        {
            Separator = separator,
            Mode = CsvMode.Rfc4180,
            Quote = '"',
            HasHeader = false,
            AllowLineBreaksInQuotes = true,
            SkipEmptyLines = false,
            TrimWhitespace = false,
            DetectSeparatorHint = false,
            TrackLineNumbers = true,
            IncludeValuesInExceptions = false,
            FieldCountMismatch = CsvFieldCountHandling.Allow,
            MalformedData = CsvMalformedDataHandling.Recover,
            OnMalformedRecord = OnMalformed,
            FormatProvider = CultureInfo.InvariantCulture,
        };
        _reader = CsvReader.Create(stream, options, false);
    }

    /// <summary>The 1-based physical line where the current record starts (a record may span lines).</summary>
    public long Line { get; private set; }

    /// <summary>The number of fields of the current record.</summary>
    public int FieldCount => _reader.FieldCount;

    /// <summary>The value of field <paramref name="index"/> as UTF-8 bytes, unquoted; valid until the next read.</summary>
    public ReadOnlySpan<byte> this[int index] => _reader.GetSpan(index);

    /// <summary>
    /// Opens <paramref name="path"/> (gzip when it ends in <c>.gz</c>). <paramref name="onProblem"/> builds the exception
    /// for each problem found; <paramref name="displayPath"/> names the file in gzip errors.
    /// </summary>
    public static CsvFieldReader Open(string path, string displayPath, char separator, bool validateUtf8, Func<CsvProblem, Exception> onProblem)
    {
        Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? VerifiedGzipStream.Open(path, displayPath)
            : new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.SequentialScan);
        try
        {
            return new CsvFieldReader(stream, separator, validateUtf8, onProblem);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>The value of field <paramref name="index"/> as a string (empty for an empty field).</summary>
    public string GetString(int index) => Encoding.UTF8.GetString(_reader.GetSpan(index));

    /// <summary>Moves to the next record; false at the end of the file.</summary>
    public bool Read()
    {
        bool more;
        try
        {
            more = _reader.Read();
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            throw _onProblem(new CsvProblem(CsvProblemKind.CorruptCompressedData, Line + 1, -1, InnerException: ex));
        }

        return Check(more);
    }

    /// <summary>Moves to the next record; false at the end of the file.</summary>
    public async ValueTask<bool> ReadAsync(CancellationToken cancellationToken)
    {
        bool more;
        try
        {
            more = await _reader.ReadAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            throw _onProblem(new CsvProblem(CsvProblemKind.CorruptCompressedData, Line + 1, -1, InnerException: ex));
        }

        return Check(more);
    }

    /// <summary>
    /// Reads the rest of a gzip input, so that its CRC-32 and length are checked (a <see cref="VerifiedGzipStream"/>
    /// error is thrown when they do not match). Call it before reporting a malformed record: a damaged gzip file
    /// decodes to garbage and fails its checksum only at the end, and the damage, not the garbage, is the error to
    /// report. Does nothing for plain files; reads are discarded.
    /// </summary>
    public void VerifyRestOfInput()
    {
        if (_stream is not VerifiedGzipStream)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (_stream.Read(buffer) > 0)
            {
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or EndOfStreamException)
        {
            throw _onProblem(new CsvProblem(CsvProblemKind.CorruptCompressedData, Line + 1, -1, InnerException: ex));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc/>
    public void Dispose() => _reader.Dispose();

    private void OnMalformed(CsvMalformedRecord record)
    {
        // A quote inside an unquoted field (ab"c) is kept as text, as RFC 4180 readers commonly do; only the two
        // problems that change where fields end are errors. The first one found is reported.
        if (_malformed is null && record.Reason is CsvMalformedReason.UnterminatedQuote or CsvMalformedReason.TextAfterClosingQuote)
        {
            _malformed = record;
        }
    }

    private bool Check(bool more)
    {
        if (!more)
        {
            if (_malformed is { } last)
            {
                VerifyRestOfInput();
                throw _onProblem(new CsvProblem(Kind(last.Reason), last.LineNumber, -1));
            }

            return false;
        }

        Line = _reader.LineNumber;
        if (_malformed is { } malformed)
        {
            var problem = Locate(malformed);
            VerifyRestOfInput();
            throw _onProblem(problem);
        }

        if (_validateUtf8 && !Utf8.IsValid(_reader.RawRecord))
        {
            var problem = FindInvalidUtf8();
            VerifyRestOfInput();
            throw _onProblem(problem);
        }

        return true;
    }

    private static CsvProblemKind Kind(CsvMalformedReason reason) =>
        reason == CsvMalformedReason.UnterminatedQuote ? CsvProblemKind.UnterminatedQuote : CsvProblemKind.TextAfterClosingQuote;

    /// <summary>The field and line of a malformed quote, from its byte offset within the current record.</summary>
    private CsvProblem Locate(CsvMalformedRecord malformed)
    {
        var kind = Kind(malformed.Reason);
        var raw = _reader.RawRecord;
        var at = (int)Math.Clamp(malformed.ByteOffset - _reader.ByteOffset, 0, raw.Length);
        var field = FieldAt(at);
        var line = kind == CsvProblemKind.UnterminatedQuote ? Line : Line + raw[..at].Count((byte)'\n');
        return new CsvProblem(kind, line, field);
    }

    /// <summary>The field whose raw text (quotes included) holds byte <paramref name="offset"/> of the record.</summary>
    private int FieldAt(int offset)
    {
        var start = 0;
        for (var i = 0; i < _reader.FieldCount; i++)
        {
            var end = start + _reader.GetRawSpan(i).Length;
            if (offset <= end)
            {
                return i;
            }

            start = end + 1;
        }

        return _reader.FieldCount - 1;
    }

    private CsvProblem FindInvalidUtf8()
    {
        for (var i = 0; i < _reader.FieldCount; i++)
        {
            var raw = _reader.GetRawSpan(i);
            var at = 0;
            while (at < raw.Length)
            {
                if (Rune.DecodeFromUtf8(raw[at..], out _, out var consumed) != OperationStatus.Done)
                {
                    return new CsvProblem(CsvProblemKind.InvalidUtf8, Line, i, at, raw[at]);
                }

                at += consumed;
            }
        }

        // The bad bytes are in a separator or line break position: cannot happen with ASCII separators.
        return new CsvProblem(CsvProblemKind.InvalidUtf8, Line, -1);
    }
}
