using System.Buffers;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Trajectories.Csv;
using EhrR1.Graph.Trajectories.Store;

namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>
/// Phase 1 of ingestion for one table: streams its CSV, computes each row's sort key, encodes the row (source
/// columns, then derived keys, then list keys) in the store's item layout, and hands it to a <see cref="SpillSorter"/>.
/// </summary>
internal static class TableIngestor
{
    public static string[] Columns(IReadOnlyList<string> header, TableSpec spec) => [.. header, .. spec.DerivedColumns];

    public static long Run(TableSpec spec, short tableId, MimicCsvReader r, Dictionaries dict, SpillSorter sorter, CancellationToken ct)
    {
        r.RequireColumns(TableCatalog.RequiredColumns(spec), spec.Name);
        var subjectCol = r.IndexOf("subject_id");
        var hadmCol = r.IndexOf("hadm_id");
        var stayCol = r.IndexOf("stay_id");
        var timeCols = spec.TimeFields.Select(r.IndexOf).ToArray();
        int itemCol = r.IndexOf("itemid"), codeCol = r.IndexOf("icd_code"), versionCol = r.IndexOf("icd_version");
        int ndcCol = r.IndexOf("ndc"), noteCol = r.IndexOf("note_id");
        var width = r.Header.Count;
        var scratch = new ArrayBufferWriter<byte>(4096);
        long rows = 0;
        while (r.Read())
        {
            if ((rows & 0x3FFF) == 0)
            {
                ct.ThrowIfCancellationRequested();
            }

            rows++;
            var key = new RowKey
            {
                Subject = FieldParser.ParseRequiredId(r, subjectCol, "subject_id"),
                Hadm = FieldParser.ParseOptionalId(r, hadmCol, "hadm_id"),
                Table = tableId,
                Source = (byte)spec.Source,
                Rank = (byte)spec.Rank,
                Seq = rows,
            };

            key.Time = RowTime(spec, r, timeCols, stayCol, dict);
            if (spec.Source == TableCatalog.Ed)
            {
                key.K1 = FieldParser.ParseOptionalId(r, stayCol, "stay_id");
            }
            else if (spec.Source == TableCatalog.Icu)
            {
                key.K1 = key.Hadm;
                key.K2 = FieldParser.ParseOptionalId(r, stayCol, "stay_id");
            }

            scratch.ResetWrittenCount();
            for (var c = 0; c < width; c++)
            {
                StoreWriter.WriteValue(scratch, r[c], r.IsNull(c));
            }

            switch (spec.Derivation)
            {
                case Derivation.LabItem:
                case Derivation.IcuItem:
                    {
                        byte[]? label = null;
                        if (!r.IsNull(itemCol) && FieldParser.TryParseId(r[itemCol], out var item))
                        {
                            (spec.Derivation == Derivation.LabItem ? dict.LabItems : dict.IcuItems).TryGetValue(item, out label);
                        }

                        WriteDerived(scratch, label);
                        break;
                    }

                case Derivation.IcdDiagnosis:
                case Derivation.IcdProcedure:
                    {
                        var px = spec.Derivation == Derivation.IcdProcedure;
                        WriteDerived(scratch, dict.IcdTitle(px, r[versionCol], r[codeCol]));
                        WriteDerived(scratch, dict.Ccs(px, r[versionCol], r[codeCol]));
                        break;
                    }

                case Derivation.EdDiagnosisCcs:
                    WriteDerived(scratch, dict.Ccs(false, r[versionCol], r[codeCol]));
                    break;
                case Derivation.PrescriptionAtc:
                case Derivation.MedreconAtc:
                    WriteDerived(scratch, dict.AtcName(r[ndcCol]));
                    break;
                case Derivation.RadiologyExam:
                    {
                        var exams = r.IsNull(noteCol) ? null : dict.Exams(r[noteCol]);
                        if (exams is null)
                        {
                            VarInt.Write(scratch, 0);
                        }
                        else
                        {
                            VarInt.Write(scratch, (ulong)exams.Count + 1);
                            foreach (var e in exams)
                            {
                                VarInt.Write(scratch, (ulong)e.Length);
                                scratch.Write(e);
                            }
                        }

                        break;
                    }

                case Derivation.None:
                    break;
                default:
                    throw new InvalidOperationException(spec.Derivation.ToString());
            }

            sorter.Add(ref key, scratch.WrittenSpan);
        }

        return rows;
    }

    private static void WriteDerived(ArrayBufferWriter<byte> w, byte[]? value) =>
        StoreWriter.WriteValue(w, value, value is null);

    private static long RowTime(TableSpec spec, MimicCsvReader r, int[] timeCols, int stayCol, Dictionaries dict)
    {
        switch (spec.Rule)
        {
            case TimeRule.First:
                return long.MinValue;
            case TimeRule.Untimed:
                return long.MaxValue;
            case TimeRule.EdStayInPlusOne:
            case TimeRule.EdStayOut:
                {
                    var stay = FieldParser.ParseOptionalId(r, stayCol, "stay_id");
                    if (stay >= 0 && dict.EdStays.TryGetValue(stay, out var t))
                    {
                        var v = spec.Rule == TimeRule.EdStayOut ? t.Out : (t.In >= 0 ? t.In + 1 : -1);
                        return v >= 0 ? v : long.MaxValue;
                    }

                    return long.MaxValue;
                }

            case TimeRule.Column:
                for (var i = 0; i < timeCols.Length; i++)
                {
                    if (!r.IsNull(timeCols[i]))
                    {
                        return FieldParser.ParseTime(r, timeCols[i], spec.TimeFields[i]);
                    }
                }

                return long.MaxValue;
            default:
                throw new InputDataException("EHR-ING-000", r.DisplayPath, r.Line, null, "Unknown time rule");
        }
    }
}
