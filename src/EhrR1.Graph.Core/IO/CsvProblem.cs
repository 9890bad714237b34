namespace EhrR1.Graph.Core.IO;

/// <summary>
/// A problem found by <see cref="CsvFieldReader"/>, located but without any cell value, for the reader's owner to
/// report with its own error code and advice.
/// </summary>
/// <param name="Kind">What is wrong.</param>
/// <param name="Line">The 1-based physical line: where the record starts, or for text after a closing quote, the line
/// of that text.</param>
/// <param name="FieldIndex">The 0-based field at fault, or -1 when no single field is.</param>
/// <param name="ByteInField">For <see cref="CsvProblemKind.InvalidUtf8"/>: the offset of the first bad byte in the
/// field as it is in the file (quotes included); otherwise 0.</param>
/// <param name="BadByte">For <see cref="CsvProblemKind.InvalidUtf8"/>: that byte; otherwise 0.</param>
/// <param name="InnerException">For <see cref="CsvProblemKind.CorruptCompressedData"/>: the decoder's exception.</param>
public sealed record CsvProblem(CsvProblemKind Kind, long Line, int FieldIndex, int ByteInField = 0, byte BadByte = 0, Exception? InnerException = null);
