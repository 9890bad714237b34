using System.Buffers;

namespace EhrR1.Graph.Trajectories.Store;

/// <summary>LEB128 unsigned variable-length integers over spans and buffer writers.</summary>
internal static class VarInt
{
    public static void Write(IBufferWriter<byte> w, ulong value)
    {
        var span = w.GetSpan(10);
        var n = Write(span, value);
        w.Advance(n);
    }

    public static int Write(Span<byte> dest, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            dest[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dest[i++] = (byte)value;
        return i;
    }

    public static ulong Read(ReadOnlySpan<byte> src, ref int pos)
    {
        ulong result = 0;
        var shift = 0;
        while (true)
        {
            var b = src[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }

            shift += 7;
            if (shift > 63)
            {
                throw new InvalidDataException("Corrupt variable-length integer in trajectory store.");
            }
        }
    }

    public static ulong ZigZag(long v) => (ulong)((v << 1) ^ (v >> 63));

    public static long UnZigZag(ulong v) => (long)(v >> 1) ^ -(long)(v & 1);
}
