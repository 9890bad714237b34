using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Trajectories.Csv;

namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>
/// The code-to-name maps joined at ingestion (upstream §4.3): item labels, ICD titles, optional CCS and ATC maps,
/// radiology exam names, and the ED stay times used to place triage and ED diagnosis rows. Values are kept as
/// UTF-8 bytes so that rows can be encoded without building strings.
/// </summary>
internal sealed class Dictionaries
{
    private readonly Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _icdDxLookup;
    private readonly Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _icdPxLookup;
    private readonly Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _ccsDxLookup;
    private readonly Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _ccsPxLookup;
    private readonly Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> _atcLookup;
    private readonly Dictionary<string, List<byte[]>>.AlternateLookup<ReadOnlySpan<char>> _examLookup;

    public Dictionaries()
    {
        _icdDxLookup = IcdDiagnoses.GetAlternateLookup<ReadOnlySpan<char>>();
        _icdPxLookup = IcdProcedures.GetAlternateLookup<ReadOnlySpan<char>>();
        _ccsDxLookup = CcsDiagnoses.GetAlternateLookup<ReadOnlySpan<char>>();
        _ccsPxLookup = CcsProcedures.GetAlternateLookup<ReadOnlySpan<char>>();
        _atcLookup = Atc.GetAlternateLookup<ReadOnlySpan<char>>();
        _examLookup = ExamNames.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public Dictionary<long, byte[]> LabItems { get; } = [];

    public Dictionary<long, byte[]> IcuItems { get; } = [];

    public Dictionary<string, byte[]> IcdDiagnoses { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> IcdProcedures { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> CcsDiagnoses { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> CcsProcedures { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, byte[]> Atc { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<byte[]>> ExamNames { get; } = new(StringComparer.Ordinal);

    /// <summary>ED stay_id → (intime, outtime) in seconds; -1 when absent.</summary>
    public Dictionary<long, (long In, long Out)> EdStays { get; } = [];

    public List<string> Loaded { get; } = [];

    public byte[]? IcdTitle(bool procedures, ReadOnlySpan<byte> version, ReadOnlySpan<byte> code) =>
        LookupIcd(procedures ? _icdPxLookup : _icdDxLookup, version, code);

    public byte[]? Ccs(bool procedures, ReadOnlySpan<byte> version, ReadOnlySpan<byte> code) =>
        LookupIcd(procedures ? _ccsPxLookup : _ccsDxLookup, version, code);

    /// <summary>NDC → ATC name: the NDC is cut at the first '.', then left-padded with zeros to 11 digits.</summary>
    public byte[]? AtcName(ReadOnlySpan<byte> ndc)
    {
        if (Atc.Count == 0 || ndc.IsEmpty)
        {
            return null;
        }

        Span<char> key = stackalloc char[32];
        var n = NormalizeNdc(ndc, key);
        return n > 0 && _atcLookup.TryGetValue(key[..n], out var v) ? v : null;
    }

    public List<byte[]>? Exams(ReadOnlySpan<byte> noteId)
    {
        if (ExamNames.Count == 0 || noteId.Length > 64)
        {
            return null;
        }

        Span<char> key = stackalloc char[64];
        var n = Encoding.UTF8.GetChars(noteId, key);
        return _examLookup.TryGetValue(key[..n], out var v) ? v : null;
    }

    public static int NormalizeNdc(ReadOnlySpan<byte> ndc, Span<char> dest)
    {
        var dot = ndc.IndexOf((byte)'.');
        if (dot >= 0)
        {
            ndc = ndc[..dot];
        }

        ndc = ndc.Trim((byte)' ');
        if (ndc.IsEmpty || ndc.Length > 20)
        {
            return 0;
        }

        var pad = Math.Max(0, 11 - ndc.Length);
        for (var i = 0; i < pad; i++)
        {
            dest[i] = '0';
        }

        for (var i = 0; i < ndc.Length; i++)
        {
            dest[pad + i] = (char)ndc[i];
        }

        return pad + ndc.Length;
    }

    public static string IcdKey(string version, string code) => version.Trim() + "|" + code.Trim();

    private static byte[]? LookupIcd(Dictionary<string, byte[]>.AlternateLookup<ReadOnlySpan<char>> lookup, ReadOnlySpan<byte> version, ReadOnlySpan<byte> code)
    {
        if (lookup.Dictionary.Count == 0 || version.Length + code.Length > 60)
        {
            return null;
        }

        Span<char> key = stackalloc char[64];
        var n = 0;
        foreach (var b in version.Trim((byte)' '))
        {
            key[n++] = (char)b;
        }

        key[n++] = '|';
        foreach (var b in code.Trim((byte)' '))
        {
            key[n++] = (char)b;
        }

        return lookup.TryGetValue(key[..n], out var v) ? v : null;
    }

    /// <summary>Loads an itemid → label table (d_labitems, d_items).</summary>
    public void LoadItems(string path, string display, Dictionary<long, byte[]> into, CancellationToken ct)
    {
        using var r = MimicCsvReader.Open(path, display);
        r.RequireColumns(["itemid", "label"], "item dictionary");
        int id = r.IndexOf("itemid"), label = r.IndexOf("label");
        while (r.Read())
        {
            if ((r.RecordCount & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var itemId = FieldParser.ParseRequiredId(r, id, "itemid");
            if (!r.IsNull(label))
            {
                into[itemId] = r[label].ToArray();
            }
        }

        Loaded.Add(display);
    }

    /// <summary>Loads d_icd_diagnoses / d_icd_procedures: (icd_version, icd_code) → long_title.</summary>
    public void LoadIcd(string path, string display, bool procedures, CancellationToken ct)
    {
        using var r = MimicCsvReader.Open(path, display);
        r.RequireColumns(["icd_code", "icd_version", "long_title"], "ICD dictionary");
        int code = r.IndexOf("icd_code"), version = r.IndexOf("icd_version"), title = r.IndexOf("long_title");
        var into = procedures ? IcdProcedures : IcdDiagnoses;
        while (r.Read())
        {
            if ((r.RecordCount & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            if (!r.IsNull(title))
            {
                into[IcdKey(r.GetString(version) ?? string.Empty, r.GetString(code) ?? string.Empty)] = r[title].ToArray();
            }
        }

        Loaded.Add(display);
    }

    /// <summary>
    /// Loads a user CCS map: CSV with columns <c>kind,icd_version,icd_code,ccs_title</c>, where kind is
    /// <c>diagnoses</c> or <c>procedures</c>.
    /// </summary>
    public void LoadCcs(string path, CancellationToken ct)
    {
        using var r = MimicCsvReader.Open(path);
        r.RequireColumns(["kind", "icd_version", "icd_code", "ccs_title"], "CCS map");
        int kind = r.IndexOf("kind"), version = r.IndexOf("icd_version"), code = r.IndexOf("icd_code"), title = r.IndexOf("ccs_title");
        while (r.Read())
        {
            if ((r.RecordCount & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var k = r[kind];
            Dictionary<string, byte[]> into;
            if (k.SequenceEqual("diagnoses"u8))
            {
                into = CcsDiagnoses;
            }
            else if (k.SequenceEqual("procedures"u8))
            {
                into = CcsProcedures;
            }
            else
            {
                throw new InputDataException("EHR-MAP-001", path, r.Line, "kind", "Unknown CCS map kind", "diagnoses or procedures",
                    "another value", "Set kind to diagnoses or procedures");
            }

            if (!r.IsNull(title))
            {
                into[IcdKey(r.GetString(version) ?? string.Empty, r.GetString(code) ?? string.Empty)] = r[title].ToArray();
            }
        }

        Loaded.Add(path);
    }

    /// <summary>Loads a user ATC map: CSV with columns <c>ndc,atc_name</c> (NDC normalised to 11 digits).</summary>
    public void LoadAtc(string path, CancellationToken ct)
    {
        using var r = MimicCsvReader.Open(path);
        r.RequireColumns(["ndc", "atc_name"], "ATC map");
        int ndc = r.IndexOf("ndc"), name = r.IndexOf("atc_name");
        Span<char> key = stackalloc char[32];
        while (r.Read())
        {
            if ((r.RecordCount & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var n = NormalizeNdc(r[ndc], key);
            if (n > 0 && !r.IsNull(name))
            {
                Atc.TryAdd(new string(key[..n]), r[name].ToArray());
            }
        }

        Loaded.Add(path);
    }

    /// <summary>Loads note/radiology_detail rows with field_name = exam_name: note_id → exam names in file order.</summary>
    public void LoadRadiologyDetail(string path, string display, CancellationToken ct)
    {
        using var r = MimicCsvReader.Open(path, display);
        r.RequireColumns(["note_id", "field_name", "field_value"], "radiology_detail");
        int note = r.IndexOf("note_id"), field = r.IndexOf("field_name"), value = r.IndexOf("field_value");
        while (r.Read())
        {
            if ((r.RecordCount & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            if (!r[field].SequenceEqual("exam_name"u8) || r.IsNull(value))
            {
                continue;
            }

            var id = r.GetString(note)!;
            if (!ExamNames.TryGetValue(id, out var list))
            {
                list = [];
                ExamNames[id] = list;
            }

            list.Add(r[value].ToArray());
        }

        Loaded.Add(display);
    }

    /// <summary>Loads ED stay times (ed/edstays) used to time triage and ED diagnosis rows.</summary>
    public void LoadEdStays(string path, string display, CancellationToken ct)
    {
        using var r = MimicCsvReader.Open(path, display);
        r.RequireColumns(["stay_id", "intime", "outtime"], "edstays");
        int stay = r.IndexOf("stay_id"), intime = r.IndexOf("intime"), outtime = r.IndexOf("outtime");
        while (r.Read())
        {
            if ((r.RecordCount & 0xFFFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            var id = FieldParser.ParseRequiredId(r, stay, "stay_id");
            var i = r.IsNull(intime) ? -1 : FieldParser.ParseTime(r, intime, "intime");
            var o = r.IsNull(outtime) ? -1 : FieldParser.ParseTime(r, outtime, "outtime");
            EdStays[id] = (i, o);
        }
    }
}
