namespace EhrR1.Graph.Umls.Rrf;

/// <summary>One MRCONSO row (an atom): a string of a concept from one source.</summary>
internal sealed record ConceptAtom(
    string Cui, string Lat, string Ts, string Lui, string Stt, string Sui, string IsPref, string Aui,
    string Saui, string Scui, string Sdui, string Sab, string Tty, string Code, string Str, string Srl,
    string Suppress, string Cvf)
{
    /// <summary>The concept's preferred atom in UMLS terms: TS=P, STT=PF and ISPREF=Y.</summary>
    public bool IsPreferred =>
        string.Equals(Ts, "P", StringComparison.Ordinal) && string.Equals(Stt, "PF", StringComparison.Ordinal)
        && string.Equals(IsPref, "Y", StringComparison.Ordinal);

    public string[] ToFields() => [Cui, Lat, Ts, Lui, Stt, Sui, IsPref, Aui, Saui, Scui, Sdui, Sab, Tty, Code, Str, Srl, Suppress, Cvf];
}

/// <summary>One MRSTY row: a semantic type of a concept.</summary>
internal sealed record SemanticTypeRow(string Cui, string Tui, string Stn, string Sty, string Atui, string Cvf)
{
    public string[] ToFields() => [Cui, Tui, Stn, Sty, Atui, Cvf];
}

/// <summary>
/// One MRREL row. As in the UMLS: REL/RELA describe how the second concept relates to the first
/// (CUI1 REL=PAR CUI2 means CUI2 is a parent of CUI1).
/// </summary>
internal sealed record RelationRow(
    string Cui1, string Aui1, string Stype1, string Rel, string Cui2, string Aui2, string Stype2, string Rela,
    string Rui, string Srui, string Sab, string Sl, string Rg, string Dir, string Suppress, string Cvf)
{
    public string[] ToFields() => [Cui1, Aui1, Stype1, Rel, Cui2, Aui2, Stype2, Rela, Rui, Srui, Sab, Sl, Rg, Dir, Suppress, Cvf];
}

/// <summary>One MRDEF row: a definition of a concept.</summary>
internal sealed record DefinitionRow(string Cui, string Aui, string Atui, string Satui, string Sab, string Def, string Suppress, string Cvf)
{
    public string[] ToFields() => [Cui, Aui, Atui, Satui, Sab, Def, Suppress, Cvf];
}

/// <summary>One MRFILES row: a file of the release with its column list, row count and byte count.</summary>
internal sealed record FileInventoryRow(string File, string Description, IReadOnlyList<string> Columns, int ColumnCount, long Rows, long Bytes)
{
    public string[] ToFields() =>
    [
        File, Description, string.Join(',', Columns), ColumnCount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        Rows.ToString(System.Globalization.CultureInfo.InvariantCulture), Bytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
    ];
}
