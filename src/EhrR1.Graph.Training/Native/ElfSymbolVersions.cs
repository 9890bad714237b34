using System.Buffers.Binary;
using System.Text;

namespace EhrR1.Graph.Training.Native;

/// <summary>
/// Minimal ELF64 (little-endian) reader for the GNU symbol-version sections: the versions a shared library
/// defines (<c>.gnu.version_d</c>) and the versions it requires (<c>.gnu.version_r</c>), with the file offset of
/// each requirement's <c>vna_flags</c> field so that it can be patched.
/// </summary>
internal static class ElfSymbolVersions
{
    private const uint ShtGnuVerdef = 0x6ffffffd;
    private const uint ShtGnuVerneed = 0x6ffffffe;

    /// <summary>The weak flag of a version requirement (<c>VER_FLG_WEAK</c>).</summary>
    public const ushort VerFlagWeak = 0x2;

    internal readonly record struct Requirement(string File, string Version, ushort Flags, long FlagsOffset);

    public static IReadOnlyList<string> ReadDefinitions(byte[] image)
    {
        var result = new List<string>();
        foreach (var (offset, size, link, info) in Sections(image, ShtGnuVerdef))
        {
            var strtab = Section(image, link);
            var pos = offset;
            for (var i = 0; i < info; i++)
            {
                Check(image, pos, 20);
                var cnt = U16(image, pos + 6);
                var aux = U32(image, pos + 12);
                var next = U32(image, pos + 16);
                if (cnt > 0)
                {
                    var a = pos + aux;
                    Check(image, a, 8);
                    result.Add(ReadString(image, strtab.Offset, strtab.Size, U32(image, a)));
                }

                if (next == 0)
                {
                    break;
                }

                pos += next;
            }

            _ = size;
        }

        return result;
    }

    public static IReadOnlyList<Requirement> ReadRequirements(byte[] image)
    {
        var result = new List<Requirement>();
        foreach (var (offset, _, link, info) in Sections(image, ShtGnuVerneed))
        {
            var strtab = Section(image, link);
            var pos = offset;
            for (var i = 0; i < info; i++)
            {
                Check(image, pos, 16);
                var cnt = U16(image, pos + 2);
                var file = ReadString(image, strtab.Offset, strtab.Size, U32(image, pos + 4));
                var aux = pos + U32(image, pos + 8);
                for (var j = 0; j < cnt; j++)
                {
                    Check(image, aux, 16);
                    var flags = U16(image, aux + 4);
                    var name = ReadString(image, strtab.Offset, strtab.Size, U32(image, aux + 8));
                    result.Add(new Requirement(file, name, flags, aux + 4));
                    var anext = U32(image, aux + 12);
                    if (anext == 0)
                    {
                        break;
                    }

                    aux += anext;
                }

                var next = U32(image, pos + 12);
                if (next == 0)
                {
                    break;
                }

                pos += next;
            }
        }

        return result;
    }

    private static IEnumerable<(long Offset, long Size, uint Link, uint Info)> Sections(byte[] image, uint type)
    {
        ValidateHeader(image);
        var shoff = (long)U64(image, 0x28);
        var shentsize = U16(image, 0x3A);
        var shnum = U16(image, 0x3C);
        for (var i = 0; i < shnum; i++)
        {
            var h = shoff + ((long)i * shentsize);
            Check(image, h, 64);
            if (U32(image, h + 4) == type)
            {
                yield return ((long)U64(image, h + 24), (long)U64(image, h + 32), U32(image, h + 40), U32(image, h + 44));
            }
        }
    }

    private static (long Offset, long Size) Section(byte[] image, uint index)
    {
        var shoff = (long)U64(image, 0x28);
        var shentsize = U16(image, 0x3A);
        var shnum = U16(image, 0x3C);
        if (index >= shnum)
        {
            throw new InvalidDataException($"ELF section index {index} out of range ({shnum} sections).");
        }

        var h = shoff + ((long)index * shentsize);
        Check(image, h, 64);
        return ((long)U64(image, h + 24), (long)U64(image, h + 32));
    }

    private static void ValidateHeader(byte[] image)
    {
        if (image.Length < 64 || image[0] != 0x7f || image[1] != (byte)'E' || image[2] != (byte)'L' || image[3] != (byte)'F')
        {
            throw new InvalidDataException("Not an ELF file.");
        }

        if (image[4] != 2 || image[5] != 1)
        {
            throw new InvalidDataException("Only little-endian ELF64 files are supported.");
        }
    }

    private static string ReadString(byte[] image, long tableOffset, long tableSize, uint index)
    {
        if (index >= tableSize)
        {
            throw new InvalidDataException("ELF string index out of range.");
        }

        var start = tableOffset + index;
        var end = start;
        while (end < tableOffset + tableSize && image[end] != 0)
        {
            end++;
        }

        return Encoding.ASCII.GetString(image, (int)start, (int)(end - start));
    }

    private static void Check(byte[] image, long offset, int length)
    {
        if (offset < 0 || offset + length > image.Length)
        {
            throw new InvalidDataException("Truncated ELF file.");
        }
    }

    private static ushort U16(byte[] b, long o) => BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)o, 2));

    private static uint U32(byte[] b, long o) => BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)o, 4));

    private static ulong U64(byte[] b, long o) => BinaryPrimitives.ReadUInt64LittleEndian(b.AsSpan((int)o, 8));
}
