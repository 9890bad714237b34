using System.Buffers.Binary;

namespace EhrR1.Graph.Trajectories.Ingest;

/// <summary>
/// The sort key of one encoded row: subject, time (seconds; <see cref="long.MinValue"/> for the patients row,
/// <see cref="long.MaxValue"/> for untimed rows), source, the source's own key (ED: stay; ICU: hadm, stay),
/// table, and the row's position in its file. <see cref="Offset"/>/<see cref="Length"/> locate the payload.
/// </summary>
internal struct RowKey : IComparable<RowKey>
{
    public const int Size = 56;

    public long Subject;
    public long Time;
    public long K1;
    public long K2;
    public long Seq;
    public long Hadm;
    public short Table;
    public byte Source;
    public byte Rank;
    public int Offset;
    public int Length;

    public readonly int CompareTo(RowKey other)
    {
        var c = Subject.CompareTo(other.Subject);
        if (c != 0)
        {
            return c;
        }

        c = Time.CompareTo(other.Time);
        if (c != 0)
        {
            return c;
        }

        c = Source.CompareTo(other.Source);
        if (c != 0)
        {
            return c;
        }

        c = K1.CompareTo(other.K1);
        if (c != 0)
        {
            return c;
        }

        c = K2.CompareTo(other.K2);
        if (c != 0)
        {
            return c;
        }

        c = Table.CompareTo(other.Table);
        return c != 0 ? c : Seq.CompareTo(other.Seq);
    }

    public readonly void WriteTo(Span<byte> d)
    {
        BinaryPrimitives.WriteInt64LittleEndian(d, Subject);
        BinaryPrimitives.WriteInt64LittleEndian(d[8..], Time);
        BinaryPrimitives.WriteInt64LittleEndian(d[16..], K1);
        BinaryPrimitives.WriteInt64LittleEndian(d[24..], K2);
        BinaryPrimitives.WriteInt64LittleEndian(d[32..], Seq);
        BinaryPrimitives.WriteInt64LittleEndian(d[40..], Hadm);
        BinaryPrimitives.WriteInt16LittleEndian(d[48..], Table);
        d[50] = Source;
        d[51] = Rank;
        BinaryPrimitives.WriteInt32LittleEndian(d[52..], Length);
    }

    public static RowKey ReadFrom(ReadOnlySpan<byte> s) => new()
    {
        Subject = BinaryPrimitives.ReadInt64LittleEndian(s),
        Time = BinaryPrimitives.ReadInt64LittleEndian(s[8..]),
        K1 = BinaryPrimitives.ReadInt64LittleEndian(s[16..]),
        K2 = BinaryPrimitives.ReadInt64LittleEndian(s[24..]),
        Seq = BinaryPrimitives.ReadInt64LittleEndian(s[32..]),
        Hadm = BinaryPrimitives.ReadInt64LittleEndian(s[40..]),
        Table = BinaryPrimitives.ReadInt16LittleEndian(s[48..]),
        Source = s[50],
        Rank = s[51],
        Length = BinaryPrimitives.ReadInt32LittleEndian(s[52..]),
    };
}
