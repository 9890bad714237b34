namespace EhrR1.Graph.Umls.Rrf;

/// <summary>
/// Column layouts of the RRF files this project reads, in the order of the UMLS Reference Manual
/// (section 3.3). When a release ships <c>MRFILES.RRF</c>, its <c>FMT</c> column overrides these defaults.
/// </summary>
internal static class RrfLayout
{
    public static readonly IReadOnlyList<string> Mrconso =
        ["CUI", "LAT", "TS", "LUI", "STT", "SUI", "ISPREF", "AUI", "SAUI", "SCUI", "SDUI", "SAB", "TTY", "CODE", "STR", "SRL", "SUPPRESS", "CVF"];

    public static readonly IReadOnlyList<string> Mrsty = ["CUI", "TUI", "STN", "STY", "ATUI", "CVF"];

    public static readonly IReadOnlyList<string> Mrrel =
        ["CUI1", "AUI1", "STYPE1", "REL", "CUI2", "AUI2", "STYPE2", "RELA", "RUI", "SRUI", "SAB", "SL", "RG", "DIR", "SUPPRESS", "CVF"];

    public static readonly IReadOnlyList<string> Mrdef = ["CUI", "AUI", "ATUI", "SATUI", "SAB", "DEF", "SUPPRESS", "CVF"];

    public static readonly IReadOnlyList<string> Mrfiles = ["FIL", "DES", "FMT", "CLS", "RWS", "BTS"];

    public static IReadOnlyList<string> Default(string fileName) => fileName switch
    {
        "MRCONSO.RRF" => Mrconso,
        "MRSTY.RRF" => Mrsty,
        "MRREL.RRF" => Mrrel,
        "MRDEF.RRF" => Mrdef,
        "MRFILES.RRF" => Mrfiles,
        _ => throw new ArgumentOutOfRangeException(nameof(fileName), fileName, "no built-in layout"),
    };
}
