using System.Globalization;
using System.Runtime.CompilerServices;
using EhrR1.Graph.Core.Errors;

namespace EhrR1.Graph.Umls.Rrf;

/// <summary>
/// A folder of RRF files (a UMLS release's <c>META</c> folder, or the open sample vocabulary). Uses the column lists
/// of <c>MRFILES.RRF</c> when the folder has one, and the Reference Manual layouts otherwise.
/// </summary>
internal sealed class RrfRelease
{
    private readonly Dictionary<string, IReadOnlyList<string>> _layouts = new(StringComparer.Ordinal);

    private RrfRelease(string directory) => Directory = directory;

    public string Directory { get; }

    /// <summary>The MRFILES inventory, empty when the release has none.</summary>
    public IReadOnlyList<FileInventoryRow> Inventory { get; private set; } = [];

    public static async Task<RrfRelease> OpenAsync(string directory, CancellationToken cancellationToken)
    {
        if (!System.IO.Directory.Exists(directory))
        {
            throw new StageConfigurationException($"RRF folder {directory} does not exist. Pass the folder that holds MRCONSO.RRF (a UMLS release's META folder, or the output of 'ehr-graph umls build-sample').");
        }

        var release = new RrfRelease(directory);
        var files = RrfReader.TryOpen(directory, "MRFILES.RRF", RrfLayout.Mrfiles);
        if (files is not null)
        {
            var inventory = new List<FileInventoryRow>();
            await foreach (var row in files.ReadAsync(cancellationToken))
            {
                var f = row.Fields;
                var columns = f[2].Split(',', StringSplitOptions.TrimEntries);
                inventory.Add(new FileInventoryRow(f[0], f[1], columns, ParseInt(f[3], row, "CLS"), ParseLong(f[4], row, "RWS"), ParseLong(f[5], row, "BTS")));
                release._layouts[f[0]] = columns;
            }

            release.Inventory = inventory;
        }

        return release;
    }

    public bool Has(string fileName) => RrfReader.TryOpen(Directory, fileName, RrfLayout.Mrfiles) is not null;

    public RrfReader Open(string fileName)
    {
        var columns = _layouts.TryGetValue(fileName, out var c) ? c : RrfLayout.Default(fileName);
        return RrfReader.TryOpen(Directory, fileName, columns)
            ?? throw new StageConfigurationException($"{fileName} was not found in {Directory}. The folder must hold the RRF files of a UMLS release (MRCONSO.RRF, MRSTY.RRF, ...).");
    }

    public async IAsyncEnumerable<ConceptAtom> ReadConceptsAsync(RrfFilterSettings? filter, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var r = Open("MRCONSO.RRF");
        var ix = RrfLayout.Mrconso.Select(r.IndexOf).ToArray();
        await foreach (var row in r.ReadAsync(cancellationToken))
        {
            var f = row.Fields;
            var atom = new ConceptAtom(f[ix[0]], f[ix[1]], f[ix[2]], f[ix[3]], f[ix[4]], f[ix[5]], f[ix[6]], f[ix[7]], f[ix[8]], f[ix[9]],
                f[ix[10]], f[ix[11]], f[ix[12]], f[ix[13]], f[ix[14]], f[ix[15]], f[ix[16]], f[ix[17]]);
            RequireNonEmpty(row, atom.Cui, "CUI");
            if (filter is null || filter.Accepts(atom))
            {
                yield return atom;
            }
        }
    }

    public async IAsyncEnumerable<SemanticTypeRow> ReadSemanticTypesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var r = Open("MRSTY.RRF");
        var ix = RrfLayout.Mrsty.Select(r.IndexOf).ToArray();
        await foreach (var row in r.ReadAsync(cancellationToken))
        {
            var f = row.Fields;
            RequireNonEmpty(row, f[ix[0]], "CUI");
            RequireNonEmpty(row, f[ix[1]], "TUI");
            yield return new SemanticTypeRow(f[ix[0]], f[ix[1]], f[ix[2]], f[ix[3]], f[ix[4]], f[ix[5]]);
        }
    }

    public async IAsyncEnumerable<RelationRow> ReadRelationsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var r = Open("MRREL.RRF");
        var ix = RrfLayout.Mrrel.Select(r.IndexOf).ToArray();
        await foreach (var row in r.ReadAsync(cancellationToken))
        {
            var f = row.Fields;
            RequireNonEmpty(row, f[ix[0]], "CUI1");
            RequireNonEmpty(row, f[ix[4]], "CUI2");
            yield return new RelationRow(f[ix[0]], f[ix[1]], f[ix[2]], f[ix[3]], f[ix[4]], f[ix[5]], f[ix[6]], f[ix[7]],
                f[ix[8]], f[ix[9]], f[ix[10]], f[ix[11]], f[ix[12]], f[ix[13]], f[ix[14]], f[ix[15]]);
        }
    }

    public async IAsyncEnumerable<DefinitionRow> ReadDefinitionsAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var r = Open("MRDEF.RRF");
        var ix = RrfLayout.Mrdef.Select(r.IndexOf).ToArray();
        await foreach (var row in r.ReadAsync(cancellationToken))
        {
            var f = row.Fields;
            RequireNonEmpty(row, f[ix[0]], "CUI");
            yield return new DefinitionRow(f[ix[0]], f[ix[1]], f[ix[2]], f[ix[3]], f[ix[4]], f[ix[5]], f[ix[6]], f[ix[7]]);
        }
    }

    private static void RequireNonEmpty(RrfRow row, string value, string field)
    {
        if (value.Length == 0)
        {
            throw new InputDataException("EHR-UMLS-003", row.File, row.Line, field, "a required field is empty",
                expected: "a non-empty " + field, found: "an empty field", fix: "Re-extract the file from the release");
        }
    }

    private static long ParseLong(string s, RrfRow row, string field) =>
        long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out var v)
            ? v
            : throw new InputDataException("EHR-UMLS-003", row.File, row.Line, field, "not a whole number",
                expected: "a non-negative integer", found: string.Create(CultureInfo.InvariantCulture, $"{s.Length} characters that are not digits"));

    private static int ParseInt(string s, RrfRow row, string field) => checked((int)ParseLong(s, row, field));
}
