using System.Text;

namespace EhrR1.Graph.Core.IO;

/// <summary>Shared encodings.</summary>
public static class TextEncodings
{
    /// <summary>UTF-8 without a byte-order mark.</summary>
    public static readonly UTF8Encoding Utf8NoBom = new(encoderShouldEmitUTF8Identifier: false);

    /// <summary>UTF-8 that throws on invalid bytes (for input validation).</summary>
    public static readonly UTF8Encoding Utf8Strict = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
}
