using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using EhrR1.Graph.Core.Errors;
using EhrR1.Graph.Core.IO;

namespace EhrR1.Graph.Knowledge.Graph;

/// <summary>
/// The embedded store's file, <c>graph.bin</c>: a magic header and version, the interned string table, then the
/// concept, term, CO_OCCURS and UMLS_REL columns as length-prefixed little-endian arrays (CSR offsets by source
/// concept), and an end marker. Loading reads the arrays straight into memory (no per-edge parsing).
/// </summary>
public static class KnowledgeGraphFile
{
    /// <summary>The file name inside a graph folder.</summary>
    public const string FileName = "graph.bin";

    private const int Version = 1;
    private static readonly byte[] Magic = "EHRKG\n\u001a\0"u8.ToArray();
    private static readonly byte[] End = "END!"u8.ToArray();

    /// <summary>Writes <paramref name="graph"/> to <paramref name="path"/> atomically.</summary>
    public static void Save(KnowledgeGraph graph, string path)
    {
        ArgumentNullException.ThrowIfNull(graph);
        EnsureLittleEndian();
        AtomicFile.Write(path, stream =>
        {
            using var w = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
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

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var r = new BinaryReader(stream, Encoding.UTF8);
        try
        {
            var magic = r.ReadBytes(Magic.Length);
            if (!magic.AsSpan().SequenceEqual(Magic))
            {
                throw Bad(path, "not an EhrR1.Graph graph file (wrong magic bytes)");
            }

            var version = r.ReadInt32();
            if (version != Version)
            {
                throw Bad(path, $"unsupported graph file version {version} (this tool reads version {Version}); rebuild it with `ehr-graph graph build`");
            }

            var strings = new string[CheckedCount(r.ReadInt32(), path)];
            for (var i = 0; i < strings.Length; i++)
            {
                strings[i] = r.ReadString();
            }

            var concepts = new ConceptColumns(ReadInts(r, path), ReadInts(r, path), ReadInts(r, path), ReadInts(r, path), ReadInts(r, path));
            var termText = ReadInts(r, path);
            var termConcept = ReadInts(r, path);
            var coOffsets = ReadInts(r, path);
            var coDst = ReadInts(r, path);
            var co = new CoEdgeColumns(coDst.Length);
            coDst.CopyTo(co.Dst, 0);
            ReadInto(r, co.Task, path);
            ReadInto(r, co.TargetTerm, path);
            ReadInto(r, co.HistoryTerm, path);
            ReadInto(r, co.Count, path);
            ReadInto(r, co.TargetDf, path);
            ReadInto(r, co.HistoryDf, path);
            ReadInto(r, co.TaskSamples, path);
            ReadInto(r, co.Lift, path);
            var umlsOffsets = ReadInts(r, path);
            var umlsDst = ReadInts(r, path);
            var umls = new UmlsEdgeColumns(umlsDst.Length);
            umlsDst.CopyTo(umls.Dst, 0);
            ReadInto(r, umls.Rel, path);
            ReadInto(r, umls.Rela, path);
            ReadInto(r, umls.Sab, path);
            if (!r.ReadBytes(End.Length).AsSpan().SequenceEqual(End))
            {
                throw Bad(path, "the end marker is missing (truncated or damaged file)");
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
    }

    /// <summary>A SHA-256 fingerprint of the file (identifies the content for load checkpoints).</summary>
    public static string Fingerprint(string path)
    {
        using var s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    private static InputDataException Bad(string path, string problem, Exception? inner = null) =>
        new("EHR-GR-002", path, null, null, problem, fix: "Rebuild the graph with `ehr-graph graph build`", innerException: inner);

    private static int CheckedCount(int count, string path) =>
        count < 0 ? throw Bad(path, "negative array length (damaged file)") : count;

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

    private static int[] ReadInts(BinaryReader r, string path)
    {
        var values = new int[CheckedCount(r.ReadInt32(), path)];
        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()));
        return values;
    }

    private static void ReadInto<T>(BinaryReader r, T[] target, string path)
        where T : unmanaged
    {
        var count = CheckedCount(r.ReadInt32(), path);
        if (count != target.Length)
        {
            throw Bad(path, "inconsistent edge column lengths");
        }

        r.BaseStream.ReadExactly(MemoryMarshal.AsBytes(target.AsSpan()));
    }
}
