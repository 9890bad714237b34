using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// The embedded store's file, <c>graph.bin</c>: a magic header and format version, the interned string table, then
/// the concept, term, CO_OCCURS and UMLS_REL columns as length-prefixed little-endian arrays (CSR offsets by source
/// concept), an end marker, and an 8-byte little-endian XxHash64 of every byte before it. Loading reads the arrays
/// straight into memory (no per-edge parsing) and hashes them as they stream past; a wrong magic, version, length or
/// checksum, or a short file, is an <see cref="InputDataException"/> that names the file and says to rebuild it.
/// </summary>
public static class KnowledgeGraphFile
{
    /// <summary>The file name inside a graph folder.</summary>
    public const string FileName = "graph.bin";

    /// <summary>Version 1 had no checksum; version 2 adds the XxHash64 trailer.</summary>
    private const int Version = 2;
    private const int ChecksumLength = sizeof(ulong);
    private static readonly byte[] Magic = "EHRKG\n\u001a\0"u8.ToArray();
    private static readonly byte[] End = "END!"u8.ToArray();

    /// <summary>Writes <paramref name="graph"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(KnowledgeGraph graph, string path)
    {
        ArgumentNullException.ThrowIfNull(graph);
        EnsureLittleEndian();
        AtomicFile.Write(path, stream =>
        {
            using var hashed = new ChecksumStream(stream);
            using var w = new BinaryWriter(hashed, Encoding.UTF8, leaveOpen: true);
            w.Write(Magic);
            w.Write(Version);
            w.Write(graph.Strings.Length);
            foreach (var s in graph.Strings)
            {
                w.Write(s);
            }

            var c = graph.ConceptData;
            WriteArray(w, c.Cui);
            WriteArray(w, c.Name);
            WriteArray(w, c.Group);
            WriteArray(w, c.TuiOffsets);
            WriteArray(w, c.Tuis);
            WriteArray(w, graph.TermTextIds);
            WriteArray(w, graph.TermConcepts);
            var co = graph.CoEdges;
            WriteArray(w, graph.CoOffsets);
            WriteArray(w, co.Dst);
            WriteArray(w, co.Task);
            WriteArray(w, co.TargetTerm);
            WriteArray(w, co.HistoryTerm);
            WriteArray(w, co.Count);
            WriteArray(w, co.TargetDf);
            WriteArray(w, co.HistoryDf);
            WriteArray(w, co.TaskSamples);
            WriteArray(w, co.Lift);
            var u = graph.UmlsEdges;
            WriteArray(w, graph.UmlsOffsets);
            WriteArray(w, u.Dst);
            WriteArray(w, u.Rel);
            WriteArray(w, u.Rela);
            WriteArray(w, u.Sab);
            w.Write(End);
            w.Flush();
            Span<byte> checksum = stackalloc byte[ChecksumLength];
            BinaryPrimitives.WriteUInt64LittleEndian(checksum, hashed.Checksum);
            hashed.Write(checksum);
            hashed.Flush();
        });
    }

    /// <summary>Loads a graph file; a damaged or foreign file is an <see cref="InputDataException"/>.</summary>
    public static KnowledgeGraph Load(string path)
    {
        EnsureLittleEndian();
        if (!File.Exists(path))
        {
            throw new InputDataException("EHR-GR-001", path, null, null, "the graph file does not exist", fix: "Build it with `ehr-graph graph build`, or pass the folder that holds graph.bin");
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 0, FileOptions.SequentialScan);
        using var hashed = new ChecksumStream(stream);
        using var r = new BinaryReader(hashed, Encoding.UTF8, leaveOpen: true);

        // Every length is checked against the bytes left before the checksum, so a flipped length cannot allocate
        // more than the file holds; the checksum then catches every other flipped byte before the graph is used.
        var payloadEnd = stream.Length - ChecksumLength;
        try
        {
            var magic = r.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw magic.Length < Magic.Length
                    ? Bad(path, "the file ends early (truncated)")
                    : Bad(path, "not an EhrR1.Graph graph file (wrong magic bytes)");
            }

            var version = r.ReadInt32();
            if (version == 1)
            {
                throw Bad(path, "the file was written by an older build in format version 1, which has no checksum; this tool reads version " + Version.ToString(CultureInfo.InvariantCulture));
            }

            if (version != Version)
            {
                throw Bad(path, $"unsupported graph file format version {version.ToString(CultureInfo.InvariantCulture)} (this tool reads version {Version.ToString(CultureInfo.InvariantCulture)})");
            }

            var strings = new string[CheckedCount(r.ReadInt32(), 1, hashed, payloadEnd, path)];
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = r.ReadString();
            }

            var concepts = new ConceptColumns(ReadInts(r, payloadEnd, path), ReadInts(r, payloadEnd, path), ReadInts(r, payloadEnd, path), ReadInts(r, payloadEnd, path), ReadInts(r, payloadEnd, path));
            var termText = ReadInts(r, payloadEnd, path);
            var termConcept = ReadInts(r, payloadEnd, path);
            var coOffsets = ReadInts(r, payloadEnd, path);
            var coDst = ReadInts(r, payloadEnd, path);
            var co = new CoEdgeColumns(coDst.Length);
            coDst.CopyTo(co.Dst, 0);
            ReadInto(r, co.Task, payloadEnd, path);
            ReadInto(r, co.TargetTerm, payloadEnd, path);
            ReadInto(r, co.HistoryTerm, payloadEnd, path);
            ReadInto(r, co.Count, payloadEnd, path);
            ReadInto(r, co.TargetDf, payloadEnd, path);
            ReadInto(r, co.HistoryDf, payloadEnd, path);
            ReadInto(r, co.TaskSamples, payloadEnd, path);
            ReadInto(r, co.Lift, payloadEnd, path);
            var umlsOffsets = ReadInts(r, payloadEnd, path);
            var umlsDst = ReadInts(r, payloadEnd, path);
            var umls = new UmlsEdgeColumns(umlsDst.Length);
            umlsDst.CopyTo(umls.Dst, 0);
            ReadInto(r, umls.Rel, payloadEnd, path);
            ReadInto(r, umls.Rela, payloadEnd, path);
            ReadInto(r, umls.Sab, payloadEnd, path);
            if (!r.ReadBytes(End.Length).AsSpan().SequenceEqual(End) || hashed.BytesHashed != payloadEnd)
            {
                throw Bad(path, "the file is corrupt (the end marker is not where the file ends: truncated or damaged)");
            }

            var expected = hashed.Checksum;
            Span<byte> stored = stackalloc byte[ChecksumLength];
            hashed.ReadExactly(stored);
            if (BinaryPrimitives.ReadUInt64LittleEndian(stored) != expected)
            {
                throw Bad(path, "the file is corrupt (checksum mismatch: the file was damaged after it was written)");
            }

            var n = concepts.Cui.Length;
            if (coOffsets.Length != n + 1 || umlsOffsets.Length != n + 1 || concepts.TuiOffsets.Length != n + 1)
            {
                throw Bad(path, "inconsistent array lengths");
            }

            return new KnowledgeGraph(strings, concepts, termText, termConcept, coOffsets, co, umlsOffsets, umls);
        }
        catch (EndOfStreamException e)
        {
            throw Bad(path, "the file ends early (truncated)", e);
        }
        catch (FormatException e)
        {
            // a damaged string length prefix
            throw Bad(path, "the file is corrupt (a damaged string table)", e);
        }
    }

    /// <summary>A SHA-256 fingerprint of the file (identifies the content for load checkpoints).</summary>
    public static string Fingerprint(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static InputDataException Bad(string path, string problem, Exception? inner = null) =>
        new("EHR-GR-002", path, null, null, problem, fix: "Rebuild it with `ehr-graph graph build`", innerException: inner);

    private static int CheckedCount(int count, int elementSize, ChecksumStream stream, long payloadEnd, string path)
    {
        if (count < 0)
        {
            throw Bad(path, "the file is corrupt (a negative array length)");
        }

        if ((long)count * elementSize > payloadEnd - stream.BytesHashed)
        {
            throw Bad(path, "the file is corrupt or truncated (an array is longer than the bytes left in the file)");
        }

        return count;
    }

    private static void EnsureLittleEndian()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("The graph file format is little-endian.");
        }
    }

    private static void WriteArray<T>(BinaryWriter w, T[] values)
        where T : unmanaged
    {
        w.Write(values.Length);
        w.Write(MemoryMarshal.AsBytes(values.AsSpan()));
    }

    private static int[] ReadInts(BinaryReader r, long payloadEnd, string path)
    {
        var values = new int[CheckedCount(r.ReadInt32(), sizeof(int), (ChecksumStream)r.BaseStream, payloadEnd, path)];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void ReadInto<T>(BinaryReader r, T[] target, long payloadEnd, string path)
        where T : unmanaged
    {
        var count = CheckedCount(r.ReadInt32(), Unsafe.SizeOf<T>(), (ChecksumStream)r.BaseStream, payloadEnd, path);
        if (count != target.Length)
        {
            throw Bad(path, "inconsistent edge column lengths");
        }

        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(target.AsSpan()));
    }
}
