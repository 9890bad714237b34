using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace EhrR1.Graph.Core.IO;

/// <summary>Serializer options shared by every JSON/JSONL artefact.</summary>
public static class JsonDefaults
{
    /// <summary>Compact, one object per line, non-ASCII kept as is, nulls written.</summary>
    public static readonly JsonSerializerOptions Jsonl = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = false,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>Indented, for manifests and reports read by people.</summary>
    public static readonly JsonSerializerOptions Indented = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };
}
