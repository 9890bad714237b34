using System.Text.Json;
using System.Text.Json.Serialization;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Trajectories.Store;

/// <summary>The tables of a store: per table id, its name, scalar columns and list-valued columns (schema.json).</summary>
public sealed record StoreSchema(
    [property: JsonPropertyName("format")] string Format,
    [property: JsonPropertyName("tables")] IReadOnlyList<StoreTable> Tables)
{
    /// <summary>The format tag written by this version.</summary>
    public const string CurrentFormat = "ehrr1-trajectories/3";

    /// <summary>File name inside a store folder.</summary>
    public const string FileName = "schema.json";

    internal static StoreSchema Load(string storeDir)
    {
        var path = Path.Combine(storeDir, FileName);
        var schema = JsonSerializer.Deserialize<StoreSchema>(File.ReadAllText(path))
            ?? throw new InvalidDataException(path + " is empty.");
        if (!string.Equals(schema.Format, CurrentFormat, StringComparison.Ordinal))
        {
            throw new InputDataException("EHR-STORE-002", path, null, "format", "the store format is not supported (the store was written by another version)",
                expected: "'" + CurrentFormat + "'", found: "'" + schema.Format + "'", fix: "Re-run ehr-graph ingest --force to rebuild the store");
        }

        return schema;
    }

    internal void Save(string storeDir) =>
        AtomicFile.WriteAllText(Path.Combine(storeDir, FileName), JsonSerializer.Serialize(this, JsonDefaults.Indented) + "\n");
}

/// <summary>One table's layout in the store: every row of it has these scalar columns, then these list columns.</summary>
public sealed record StoreTable(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("columns")] IReadOnlyList<string> Columns,
    [property: JsonPropertyName("lists")] IReadOnlyList<string> Lists);
