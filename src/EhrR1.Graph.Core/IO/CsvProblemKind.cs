namespace EhrR1.Graph.Core.IO;

/// <summary>What <see cref="CsvFieldReader"/> found wrong with its input; the owner turns it into its own error.</summary>
public enum CsvProblemKind
{
    /// <summary>A quoted field is still open at the end of the file.</summary>
    UnterminatedQuote,

    /// <summary>Something other than a separator or a line break follows the closing quote of a field.</summary>
    TextAfterClosingQuote,

    /// <summary>A field is not valid UTF-8.</summary>
    InvalidUtf8,

    /// <summary>The compressed stream under the CSV text could not be decoded.</summary>
    CorruptCompressedData,
}
