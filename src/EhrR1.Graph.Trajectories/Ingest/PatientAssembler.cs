using System.Buffers;
using EhrR1.Graph.Trajectories.Store;

namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>
/// Phase 2 of ingestion for one patient: receives the patient's rows in key order (patients row, timed rows,
/// then untimed rows), places untimed rows after the last timed row of their admission (other tables, then
/// <c>diagnoses_icd</c>, then <c>drgcodes</c>; rows of an admission without timed rows, or without an admission,
/// go at the end, once), groups consecutive same-table rows into events and encodes the patient block.
/// </summary>
internal sealed class PatientAssembler
{
    private readonly short _diagnosesTable;
    private readonly short _drgTable;
    private readonly bool[] _untimedStart;
    private readonly ArrayBufferWriter<byte> _payloads = new(1 << 16);
    private readonly List<RowKey> _rows = [];
    private readonly List<int> _order = [];
    private readonly Dictionary<long, int> _lastTimedByHadm = [];
    private readonly List<(int After, int Class, int Row)> _inserts = [];

    public PatientAssembler(IReadOnlyList<TableSpec> tables)
    {
        _diagnosesTable = (short)IndexOf(tables, "diagnoses_icd");
        _drgTable = (short)IndexOf(tables, "drgcodes");
        _untimedStart = tables.Select(t => t.Rule is TimeRule.First || t.Name is "diagnoses_icd" or "drgcodes").ToArray();
    }

    public int RowCount => _rows.Count;

    public void Add(RowKey key, ReadOnlySpan<byte> payload)
    {
        key.Offset = _payloads.WrittenCount;
        _payloads.Write(payload);
        _rows.Add(key);
    }

    /// <summary>
    /// Encodes the patient's events back to back into <paramref name="output"/>, the byte offset of each event into
    /// <paramref name="eventStarts"/>; returns (events, rows) and counts per table.
    /// </summary>
    public (int Events, int Rows) Finish(ArrayBufferWriter<byte> output, List<int> eventStarts, long[] eventsPerTable)
    {
        Order();
        var rows = _rows;
        var payloads = _payloads.WrittenSpan;
        eventStarts.Clear();
        var start = 0;
        while (start < _order.Count)
        {
            var table = rows[_order[start]].Table;
            var end = start + 1;
            while (end < _order.Count && rows[_order[end]].Table == table)
            {
                end++;
            }

            var first = rows[_order[start]];
            long? startTime = _untimedStart[table] || !IsTimed(first.Time) ? null : first.Time;
            long? endTime = null;
            if (!_untimedStart[table] || table == _diagnosesTable || table == _drgTable)
            {
                for (var i = start; i < end; i++)
                {
                    var t = rows[_order[i]].Time;
                    if (IsTimed(t) && (endTime is null || t > endTime))
                    {
                        endTime = t;
                    }
                }
            }

            eventStarts.Add(output.WrittenCount);
            VarInt.Write(output, (ulong)table);
            byte flags = 0;
            if (startTime is not null)
            {
                flags |= StoreFiles.FlagStart;
            }

            if (endTime is not null)
            {
                flags |= StoreFiles.FlagEnd;
            }

            if (first.Hadm >= 0)
            {
                flags |= StoreFiles.FlagHadm;
            }

            output.GetSpan(1)[0] = flags;
            output.Advance(1);
            if (startTime is { } s)
            {
                VarInt.Write(output, (ulong)s);
            }

            if (endTime is { } e)
            {
                VarInt.Write(output, VarInt.ZigZag(e - (startTime ?? 0)));
            }

            if (first.Hadm >= 0)
            {
                VarInt.Write(output, (ulong)first.Hadm);
            }

            VarInt.Write(output, (ulong)(end - start));
            for (var i = start; i < end; i++)
            {
                var k = rows[_order[i]];
                output.Write(payloads.Slice(k.Offset, k.Length));
            }

            eventsPerTable[table]++;
            start = end;
        }

        var result = (eventStarts.Count, rows.Count);
        _rows.Clear();
        _payloads.ResetWrittenCount();
        return result;
    }

    private static bool IsTimed(long t) => t != long.MinValue && t != long.MaxValue;

    private void Order()
    {
        _order.Clear();
        _lastTimedByHadm.Clear();
        _inserts.Clear();
        var rows = _rows;
        var timedCount = 0;
        while (timedCount < rows.Count && rows[timedCount].Time != long.MaxValue)
        {
            var k = rows[timedCount];
            if (k.Hadm >= 0 && k.Time != long.MinValue)
            {
                _lastTimedByHadm[k.Hadm] = timedCount;
            }

            timedCount++;
        }

        for (var i = timedCount; i < rows.Count; i++)
        {
            var k = rows[i];
            var after = k.Hadm >= 0 && _lastTimedByHadm.TryGetValue(k.Hadm, out var p) ? p : int.MaxValue;
            var cls = k.Table == _diagnosesTable ? 1 : k.Table == _drgTable ? 2 : 0;
            _inserts.Add((after, cls, i));
        }

        // Stable: by insertion point, then admission, then class (others, diagnoses, drg), then key order.
        _inserts.Sort((a, b) =>
        {
            var c = a.After.CompareTo(b.After);
            if (c != 0)
            {
                return c;
            }

            c = rows[a.Row].Hadm.CompareTo(rows[b.Row].Hadm);
            if (c != 0)
            {
                return c;
            }

            c = a.Class.CompareTo(b.Class);
            return c != 0 ? c : a.Row.CompareTo(b.Row);
        });

        var next = 0;
        for (var i = 0; i < timedCount; i++)
        {
            _order.Add(i);
            while (next < _inserts.Count && _inserts[next].After == i)
            {
                _order.Add(_inserts[next++].Row);
            }
        }

        while (next < _inserts.Count)
        {
            _order.Add(_inserts[next++].Row);
        }
    }

    private static int IndexOf(IReadOnlyList<TableSpec> tables, string name)
    {
        for (var i = 0; i < tables.Count; i++)
        {
            if (string.Equals(tables[i].Name, name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
